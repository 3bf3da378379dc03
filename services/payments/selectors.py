from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from services.accounts.permissions import StaffScope

from .models import Payment, Refund


def payment_get_for_resident(*, user, public_id) -> Payment:
    """Return the resident's own payment with its application and service, or raise Http404."""
    payments = Payment.objects.select_related("application__service__department")
    return get_object_or_404(payments, public_id=public_id, payer=user)


def payment_list_for_application(*, application) -> list[Payment]:
    """Return the application's payments with their refunds, newest first."""
    return list(application.payments.prefetch_related("refunds").order_by("-created_at"))


def payment_list_for_staff(*, scope: StaffScope) -> QuerySet[Payment]:
    """Return the payments of applications in the departments the staff scope reaches."""
    payments = Payment.objects.select_related("application__service", "application__department")
    departments = scope.departments()
    return payments if departments is None else payments.filter(application__department_id__in=list(departments))


def refund_list_for_staff(*, scope: StaffScope) -> QuerySet[Refund]:
    """Return the refunds of payments in the departments the staff scope reaches."""
    refunds = Refund.objects.select_related("payment__application", "requested_by", "approved_by")
    departments = scope.departments()
    return refunds if departments is None else refunds.filter(payment__application__department_id__in=list(departments))
