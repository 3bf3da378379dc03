"""The fake provider's own notifications reach a running portal: late, and twice, and the fee is paid once."""

import time

import pytest

from services.applications.actions import application_create_draft, application_submit
from services.applications.models import Application, ApplicationEvent, EventNote, Status
from services.payments.actions import payment_start
from services.payments.models import Payment, PaymentEvent, PaymentStatus
from tests.factories import VALID_ANSWERS

from .conftest import ledger, pay_at_checkout


@pytest.mark.django_db(transaction=True)
def test_a_late_and_repeated_notification_pays_once(fakepay, fee_service, resident, live_server, settings):
    settings.PORTAL_URL = live_server.url  # where the provider sends its notifications
    application = application_submit(
        application=application_create_draft(
            applicant=resident, service=fee_service, answers={**VALID_ANSWERS, "children": 1}
        ),
        by=resident,
    )
    ledger(fakepay).control.update(delay=0.3, copies=3)
    payment = payment_start(application=application, by=resident)

    pay_at_checkout(payment)
    immediately = Payment.objects.get(pk=payment.pk).status
    deadline = time.monotonic() + 15
    while Payment.objects.get(pk=payment.pk).status != PaymentStatus.PAID and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # the two repeats arrive

    application.refresh_from_db()
    assert immediately == PaymentStatus.PENDING  # the notification was held back
    assert PaymentEvent.objects.count() == 1  # the repeats of one provider event are seen as such
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PAID
    assert ApplicationEvent.objects.filter(application=application, note=EventNote.FEE_PAID).count() == 1
    assert Application.objects.get(pk=application.pk).status == Status.ROUTED
