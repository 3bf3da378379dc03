"""The refunds and payments in the admin: a caseworker asks, a mistake stays on the form, another supervisor
approves from the list; staff see their own departments' payments only."""

import pytest
from django.test import Client

from services.accounts.models import DepartmentMembership
from services.payments.actions import payment_refresh, payment_start
from services.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests.conftest import staff_login
from tests.factories import StaffFactory

from .conftest import pay_at_checkout

pytestmark = pytest.mark.django_db
ADD = "/admin/payments/refund/add/"


@pytest.fixture
def paid(fakepay, unpaid, resident, django_capture_on_commit_callbacks):
    payment = payment_start(application=unpaid, by=resident)
    pay_at_checkout(payment)
    with django_capture_on_commit_callbacks(execute=True):
        payment_refresh(payment=payment)
    return Payment.objects.get(pk=payment.pk)


def test_a_refund_asked_in_the_admin_and_approved_by_another_supervisor(
    paid, health, health_caseworker, django_capture_on_commit_callbacks
):
    desk = staff_login(Client(), health_caseworker)
    desk.cookies["django_language"] = "en"

    too_much = desk.post(ADD, {"payment": paid.pk, "amount_fen": 4001, "reason": "Only one copy"})
    asked = desk.post(ADD, {"payment": paid.pk, "amount_fen": 2000, "reason": "Only one copy"})
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
    refund = Refund.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        approved = staff_login(Client(), supervisor).post(
            "/admin/payments/refund/", {"action": "approve", "_selected_action": [refund.pk]}
        )

    refund.refresh_from_db()
    paid.refresh_from_db()
    assert too_much.status_code == 200 and "Only one copy" in too_much.content.decode()  # kept, with the error
    assert "at most ¥40.00" in too_much.content.decode()
    assert asked.status_code == 302
    assert (refund.requested_by, refund.status) == (health_caseworker, RefundStatus.DONE)
    assert approved.status_code == 302
    assert (paid.status, paid.refunded_fen) == (PaymentStatus.PARTLY_REFUNDED, 2000)


def test_another_departments_payments_are_not_shown(paid, education_caseworker, health_caseworker):
    theirs = staff_login(Client(), education_caseworker)
    ours = staff_login(Client(), health_caseworker)

    assert paid.application.reference not in theirs.get("/admin/payments/payment/").content.decode()
    assert theirs.get(f"/admin/payments/payment/{paid.pk}/change/").status_code in (302, 404)
    assert paid.application.reference in ours.get("/admin/payments/payment/").content.decode()
