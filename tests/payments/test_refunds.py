"""Refunds with a reason and a supervisor's approval, never more than was paid; the nightly reconciliation."""

import pytest
from django.utils import timezone

from services.accounts.models import DepartmentMembership
from services.accounts.permissions import staff_scope_for
from services.common.errors import NotAllowed, ValidationFailed
from services.payments.actions import payment_refresh, payment_start
from services.payments.models import MismatchKind, Payment, PaymentStatus, RefundStatus
from services.payments.providers.fake import FakePay
from services.payments.reconciliation import reconcile
from services.payments.refunds import refund_approve, refund_reject, refund_request
from tests.factories import StaffFactory

from .conftest import pay_at_checkout

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(fakepay, unpaid, resident, django_capture_on_commit_callbacks):
    """The ¥40.00 fee paid (and the application routed to its department)."""
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)
    with django_capture_on_commit_callbacks(execute=True):
        payment_refresh(payment=payment)
    payment = Payment.objects.select_related("application").get(pk=payment.pk)
    assert payment.status == PaymentStatus.PAID and payment.application.department_id  # routed to health
    return payment


@pytest.fixture
def health_supervisor(health):
    return StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)


def ask(payment, by, amount_fen=1500, reason="Only one copy was issued."):
    return refund_request(payment=payment, amount_fen=amount_fen, reason=reason, by=by, scope=staff_scope_for(user=by))


def test_an_approved_refund_is_sent_and_recorded(
    paid, health_caseworker, health_supervisor, django_capture_on_commit_callbacks
):
    refund = ask(paid, health_caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        refund_approve(refund=refund, by=health_supervisor, scope=staff_scope_for(user=health_supervisor))

    paid.refresh_from_db()
    refund.refresh_from_db()
    assert (refund.status, refund.approved_by) == (RefundStatus.DONE, health_supervisor)
    assert refund.provider_reference
    assert (paid.status, paid.refunded_fen) == (PaymentStatus.PARTLY_REFUNDED, 1500)


def test_a_refund_larger_than_paid_is_refused(paid, health_caseworker):
    with pytest.raises(ValidationFailed) as error:
        ask(paid, health_caseworker, amount_fen=4001)
    assert "amount_fen" in error.value.errors
    ask(paid, health_caseworker, amount_fen=4000)
    with pytest.raises(ValidationFailed):
        ask(paid, health_caseworker, amount_fen=1)  # the first, still waiting, counts


@pytest.mark.parametrize("amount_fen", [0, -5, 12.5, "100", None])
def test_a_refund_of_no_money_is_refused(paid, health_caseworker, amount_fen):
    with pytest.raises(ValidationFailed):
        ask(paid, health_caseworker, amount_fen=amount_fen)


def test_a_refund_needs_a_reason(paid, health_caseworker):
    with pytest.raises(ValidationFailed):
        ask(paid, health_caseworker, reason="  ")


def test_only_the_departments_staff_ask_and_only_another_supervisor_decides(
    paid, health_caseworker, health_supervisor, education_caseworker
):
    with pytest.raises(NotAllowed):
        ask(paid, education_caseworker)
    refund = ask(paid, health_supervisor)
    with pytest.raises(NotAllowed):  # a caseworker is no supervisor
        refund_approve(refund=refund, by=health_caseworker, scope=staff_scope_for(user=health_caseworker))
    with pytest.raises(NotAllowed):  # four eyes: not who asked
        refund_approve(refund=refund, by=health_supervisor, scope=staff_scope_for(user=health_supervisor))
    other = StaffFactory(department=paid.application.department, department__role=DepartmentMembership.Role.SUPERVISOR)
    rejected = refund_reject(refund=refund, by=other, scope=staff_scope_for(user=other))
    assert rejected.status == RefundStatus.REJECTED


def test_the_reconciliation_lists_what_the_provider_and_the_portal_disagree_on(paid, fakepay, unpaid, resident):
    """Paid at the provider but unknown here, and paid here but unknown there: two mismatches; the payment both
    know alike is none."""
    stranger = FakePay()._call("POST", "/v1/payments", {"trade_number": "f" * 32, "amount_fen": 999})
    fakepay.RequestHandlerClass.ledger.settle(stranger["id"], "pay")
    Payment.objects.create(
        application=unpaid,
        payer=resident,
        amount_fen=4000,
        provider="fake",
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
        expires_at=timezone.now(),
    )

    run = reconcile(day=timezone.localdate())

    found = {(m.kind, m.trade_number == "f" * 32) for m in run.found.all()}
    assert run.mismatches == 2
    assert found == {(MismatchKind.MISSING_HERE, True), (MismatchKind.MISSING_THERE, False)}
    assert not run.found.filter(trade_number=paid.trade_number).exists()
