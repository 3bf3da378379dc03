"""Paying an application's fee at the (fake) provider: the checkout, the status read on return, the signed
notifications — bad, unknown, repeated, early — the expiry, and a second payment refunded automatically."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.applications.models import ApplicationEvent, EventNote, FeeStatus, Status
from services.common.errors import InvalidTransition, NotAllowed
from services.payments import fakeserver
from services.payments.actions import payment_refresh, payment_start, payments_expire
from services.payments.errors import ProviderUnavailable
from services.payments.models import Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus
from tests.factories import ResidentProfileFactory, UserFactory
from tests.web.html import assert_accessible

from .conftest import ledger, notify, pay_at_checkout, provider_payment

pytestmark = pytest.mark.django_db


def test_starting_a_payment_opens_the_providers_checkout_once(fakepay, unpaid, resident):
    """The payment is pending at the provider for the application's fee; starting again (a double click, a retried
    request) returns the same payment, and the provider holds one order."""
    first = payment_start(application=unpaid, by=resident)
    again = payment_start(application=unpaid, by=resident)

    assert first.pk == again.pk
    assert (first.status, first.amount_fen) == (PaymentStatus.PENDING, 4000)
    assert first.checkout_url.startswith(f"{fakepay_url(fakepay)}/checkout/")
    assert provider_payment(fakepay, first)["amount_fen"] == 4000
    assert len(ledger(fakepay).payments) == 1


def fakepay_url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_only_the_applicant_pays_and_only_a_fee_that_is_due(fakepay, unpaid, resident, service):
    with pytest.raises(NotAllowed):
        payment_start(application=unpaid, by=UserFactory())
    unpaid.fee_status = FeeStatus.PAID
    unpaid.save(update_fields=["fee_status"])
    with pytest.raises(InvalidTransition):
        payment_start(application=unpaid, by=resident)


def test_a_provider_out_of_reach_charges_nothing_and_says_so(settings, unpaid, resident):
    settings.FAKEPAY_URL = "http://127.0.0.1:9"  # nothing listens there

    with pytest.raises(ProviderUnavailable):
        payment_start(application=unpaid, by=resident)

    assert Payment.objects.get().status == PaymentStatus.CREATED  # started again later with the same order number


def test_the_return_from_the_checkout_reads_the_status_from_the_provider(
    fakepay, unpaid, resident, client, django_capture_on_commit_callbacks, settings
):
    """Paid at the checkout with no notification (yet): the payment page asks the provider, records the payment,
    and the application is routed."""
    payment = payment_start(application=unpaid, by=resident)
    assert pay_at_checkout(payment).headers["Location"] == f"{settings.PORTAL_URL}{payment.get_absolute_url()}"
    client.force_login(resident)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(payment.get_absolute_url())

    payment.refresh_from_db()
    unpaid.refresh_from_db()
    assert page.status_code == 200
    assert payment.status == PaymentStatus.PAID and payment.provider_reference
    assert (unpaid.fee_status, unpaid.status) == (FeeStatus.PAID, Status.ROUTED)


def test_the_browser_alone_never_marks_a_payment_paid(fakepay, unpaid, resident, client):
    """Coming back to the payment page without paying changes nothing."""
    payment = payment_start(application=unpaid, by=resident)
    client.force_login(resident)

    client.get(payment.get_absolute_url())

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_a_signed_notification_pays_and_a_repeat_changes_nothing(
    fakepay, unpaid, resident, client, django_capture_on_commit_callbacks
):
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)

    with django_capture_on_commit_callbacks(execute=True):
        first = notify(client, fakepay, payment, event_id="ev-1")
        again = notify(client, fakepay, payment, event_id="ev-1")

    unpaid.refresh_from_db()
    assert (first.status_code, again.status_code) == (200, 200)
    assert PaymentEvent.objects.filter(event_id="ev-1").count() == 1
    assert ApplicationEvent.objects.filter(application=unpaid, note=EventNote.FEE_PAID).count() == 1
    assert unpaid.status == Status.ROUTED


def test_a_notification_before_the_browser_returns(
    fakepay, unpaid, resident, client, django_capture_on_commit_callbacks
):
    """The notification arrives first; the return then finds the payment paid and does nothing more."""
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, fakepay, payment)
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    page = client.get(payment.get_absolute_url()).content.decode()

    assert "the fee is paid" in page
    assert ApplicationEvent.objects.filter(application=unpaid, note=EventNote.FEE_PAID).count() == 1


def test_a_notification_with_a_bad_signature_is_refused_and_not_kept(fakepay, unpaid, resident, client):
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)

    response = notify(client, fakepay, payment, secret="not-the-providers-secret")

    payment.refresh_from_db()
    assert response.status_code == 401
    assert payment.status == PaymentStatus.PENDING
    assert not PaymentEvent.objects.exists()


def test_a_notification_for_an_unknown_payment_is_kept_and_changes_nothing(fakepay, client):
    body_payment = {"id": "FP1", "trade_number": "0" * 32, "amount_fen": 100, "status": "paid"}
    body, headers = fakeserver.notification("fakepay-test-secret", body_payment, event_id="ev-unknown")
    response = client.post("/payments/notify/fake/", data=body, content_type="application/json", headers=headers)

    assert response.status_code == 200
    event = PaymentEvent.objects.get(event_id="ev-unknown")
    assert (event.payment, event.outcome) == (None, "unknown payment")


def test_a_notification_that_pays_costs_a_fixed_number_of_queries(
    fakepay, unpaid, resident, client, django_assert_num_queries
):
    """The payment found and moved by one conditional update that returns it (with its application's reference), the
    application moved with the timeline's note in one statement, the notification kept with its outcome: no read
    before a write, no savepoint, no second write of a row."""
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)

    # SAVEPOINT and RELEASE: the notification's own transaction, inside the test's; elsewhere than on PostgreSQL
    # the application's move and its note are two statements (services/applications/fees.py)
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 6):
        response = notify(client, fakepay, payment, event_id="ev-counted")

    assert response.status_code == 200
    assert PaymentEvent.objects.get(event_id="ev-counted").outcome == "paid: payment paid"


def test_a_notification_that_cannot_be_applied_is_not_acknowledged_as_a_repeat(fakepay, unpaid, resident, client):
    """A notification whose provider reference is already another payment's fails whole: the provider is not told
    "received" (it sends it again), nothing is kept, and the payment is as it was. Only a repeat of a kept
    notification is answered as one."""
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)
    other = Payment.objects.create(
        application=unpaid, payer=resident, amount_fen=4000, provider="fake", expires_at=payment.expires_at,
        provider_reference="FP-TAKEN",
    )  # fmt: skip
    client.raise_request_exception = False

    response = notify(client, fakepay, payment, event_id="ev-collides", id="FP-TAKEN")

    payment.refresh_from_db()
    assert response.status_code == 500
    assert payment.status == PaymentStatus.PENDING and other.pk != payment.pk
    assert not PaymentEvent.objects.filter(event_id="ev-collides").exists()


def test_a_notification_for_another_amount_does_not_pay(fakepay, unpaid, resident, client):
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)

    notify(client, fakepay, payment, amount_fen=1)

    payment.refresh_from_db()
    unpaid.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert unpaid.fee_status == FeeStatus.DUE


def test_a_failed_payment_can_be_tried_again(fakepay, unpaid, resident, client):
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment, action="fail")

    failed = payment_refresh(payment=payment)
    retry = payment_start(application=unpaid, by=resident)

    assert failed.status == PaymentStatus.FAILED
    assert retry.pk != payment.pk and retry.status == PaymentStatus.PENDING


def test_a_payment_that_times_out_expires_and_the_provider_refuses_it(fakepay, unpaid, resident, settings):
    """Past its time and still unpaid at the provider, the payment expires; the provider closes it too."""
    settings.PAYMENT_EXPIRY_MINUTES = 0
    payment = payment_start(application=unpaid, by=resident)

    expired = payments_expire(now=timezone.now() + dt.timedelta(seconds=1))
    pay_at_checkout(payment)

    payment.refresh_from_db()
    assert expired == 1
    assert payment.status == PaymentStatus.EXPIRED
    assert provider_payment(fakepay, payment)["status"] == "closed"


def test_an_expiry_asks_the_provider_first(fakepay, unpaid, resident):
    """Paid at the last second (no notification yet): the expiry sweep finds it paid, and does not expire it."""
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)

    payments_expire(now=timezone.now() + dt.timedelta(hours=1))

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID


def test_paying_twice_refunds_the_second_payment_automatically(
    fakepay, unpaid, resident, client, django_capture_on_commit_callbacks
):
    """A payment given up in the portal is paid at the provider after another one paid the fee: the money is
    refunded at once, with no one to approve it."""
    first = payment_start(application=unpaid, by=resident)
    Payment.objects.filter(pk=first.pk).update(status=PaymentStatus.EXPIRED)
    second = payment_start(application=unpaid, by=resident)
    pay_at_checkout(second)
    pay_at_checkout(first)

    with django_capture_on_commit_callbacks(execute=True):
        notify(client, fakepay, second)
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, fakepay, first)

    first.refresh_from_db()
    refund = Refund.objects.get(payment=first)
    assert (refund.status, refund.amount_fen, refund.approved_by) == (RefundStatus.DONE, 4000, None)
    assert (first.status, first.refunded_fen) == (PaymentStatus.REFUNDED, 4000)
    assert provider_payment(fakepay, first)["refunded_fen"] == 4000
    assert Payment.objects.get(pk=second.pk).status == PaymentStatus.PAID


def test_someone_elses_payment_is_not_found(fakepay, unpaid, resident, client):
    payment = payment_start(application=unpaid, by=resident)
    client.force_login(UserFactory())

    assert client.get(payment.get_absolute_url()).status_code == 404
    assert client.get(reverse("payments:receipt", args=[payment.public_id])).status_code == 404
    start = reverse("payments:start", args=[unpaid.public_id])
    assert client.post(start).status_code == 404


def test_the_application_page_offers_to_pay_and_the_button_starts_a_payment(fakepay, unpaid, resident, client):
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    page = client.get(unpaid.get_absolute_url()).content.decode()
    response = client.post(reverse("payments:start", args=[unpaid.public_id]))

    payment = Payment.objects.get()
    assert "Pay ¥40.00" in page
    assert response.status_code == 302 and response.url == payment.get_absolute_url()
    assert payment.checkout_url in client.get(payment.get_absolute_url()).content.decode()


def test_the_receipt_is_in_the_residents_language(
    fakepay, unpaid, resident, client, django_capture_on_commit_callbacks
):
    ResidentProfileFactory(user=resident, preferred_language="en")
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)
    with django_capture_on_commit_callbacks(execute=True):
        notify(client, fakepay, payment)
    client.force_login(resident)
    client.cookies["django_language"] = "zh-hans"

    receipt = client.get(reverse("payments:receipt", args=[payment.public_id])).content.decode()

    assert "Receipt for a fee paid" in receipt and "¥40.00" in receipt and unpaid.reference in receipt


def test_the_app_starts_a_payment_once_per_key_and_reads_it(fakepay, unpaid, resident):
    """POST with an Idempotency-Key starts the payment; the same key again replays the answer; GET reads the status
    from the provider."""
    client = APIClient()
    client.force_authenticate(resident)
    url = f"/api/v1/applications/{unpaid.public_id}/payments/"

    first = client.post(url, headers={"Idempotency-Key": "pay-1"})
    again = client.post(url, headers={"Idempotency-Key": "pay-1"})
    payment = Payment.objects.get()
    pay_at_checkout(payment)
    read = client.get(f"/api/v1/payments/{payment.public_id}/")

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert first.json()["checkout_url"] == payment.checkout_url and first.json()["amount_fen"] == 4000
    assert read.json()["status"] == "paid"


def test_the_app_is_told_when_there_is_nothing_to_pay_or_the_provider_is_away(settings, unpaid, resident, service):
    client = APIClient()
    client.force_authenticate(resident)
    settings.FAKEPAY_URL = "http://127.0.0.1:9"

    away = client.post(f"/api/v1/applications/{unpaid.public_id}/payments/")
    unpaid.fee_status = FeeStatus.PAID
    unpaid.save(update_fields=["fee_status"])
    nothing = client.post(f"/api/v1/applications/{unpaid.public_id}/payments/")

    assert (away.status_code, away.json()["code"]) == (503, "provider_unavailable")
    assert (nothing.status_code, nothing.json()["code"]) == (409, "invalid_transition")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_payment_pages_meet_the_accessibility_basics(fakepay, unpaid, resident, client, language):
    client.force_login(resident)
    client.cookies["django_language"] = language
    payment = payment_start(application=unpaid, by=resident)

    assert_accessible(client.get(unpaid.get_absolute_url()))
    assert_accessible(client.get(payment.get_absolute_url()))
