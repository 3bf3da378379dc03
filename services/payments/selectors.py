from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from services.accounts.permissions import StaffScope

from .models import Payment, Refund


def payment_get_for_resident(*, user, public_id) -> Payment:
    """Return the resident's own payment with its application and service, or raise Http404."""
    payments = Payment.objects.select_related("application__service__department")
    return get_object_or_404(payments, public_id=public_id, payer=user)


# A notification needs the whole payment and, of its application, only the reference (for the logs): the other
# columns of a wide row would cost more to read than the rest of the notification does.
_NOTIFIED_FIELDS = [*(field.name for field in Payment._meta.concrete_fields), "application__reference"]


def payment_for_notification(*, provider: str, trade_number: str) -> Payment | None:
    """Return the payment a provider's notification is about, with its application's reference; None for an order
    number the portal does not know."""
    payments = Payment.objects.select_related("application").only(*_NOTIFIED_FIELDS)
    try:
        return payments.get(provider=provider, trade_number=trade_number)
    except Payment.DoesNotExist:
        return None


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
