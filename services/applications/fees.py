"""An application's fee: the status a submission starts in, and its payment recorded (then it is routed)."""

from django.db import transaction
from django.utils import timezone

from services.catalogue.fees import FeeQuote

from .models import AWAITING_PAYMENT, Application, ApplicationEvent, EventNote, FeeStatus
from .workflow import routing_publish_on_commit


def fee_status_for(quote: FeeQuote) -> FeeStatus:
    """Return the fee status a submission with this quote starts in: waived, due, or none to pay."""
    if quote.waived:
        return FeeStatus.WAIVED
    return FeeStatus.DUE if quote.is_due else FeeStatus.NONE


def application_fee_paid(*, application: Application) -> bool:
    """Record that the application's fee is paid and queue its routing; return False if it was not awaiting
    payment (paid already, or withdrawn meanwhile), so a second payment can be refunded."""
    with transaction.atomic(savepoint=False):  # inside a payment's transaction: no savepoint's round trips
        now = timezone.now()
        paid = Application.objects.filter(AWAITING_PAYMENT, pk=application.pk).update(
            fee_status=FeeStatus.PAID, fee_paid_at=now, updated_at=now
        )
        if paid:
            ApplicationEvent.objects.create(application=application, note=EventNote.FEE_PAID)
            routing_publish_on_commit(application=application)
    return bool(paid)
