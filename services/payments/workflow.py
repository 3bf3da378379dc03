"""The one function that moves a payment along its lifecycle (models.TRANSITIONS)."""

from django.utils import timezone

from .models import TRANSITIONS, Payment, PaymentStatus


def payment_transition(*, payment: Payment, to: PaymentStatus, **changes) -> Payment | None:
    """Move the payment to ``to`` with ``changes`` in one conditional update (from a status TRANSITIONS allows; the
    row stays locked until commit) and return it moved; None when its status does not allow it (a repeated
    outcome, or one overtaken by another)."""
    changes["updated_at"] = timezone.now()
    allowed_from = [source for source, target in TRANSITIONS if target == to]
    if not Payment.objects.filter(pk=payment.pk, status__in=allowed_from).update(status=to, **changes):
        return None
    payment.status = to
    for name, value in changes.items():
        setattr(payment, name, value)
    return payment
