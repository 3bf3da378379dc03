"""The one function that moves a payment along its lifecycle (models.TRANSITIONS)."""

from .models import TRANSITIONS, Payment, PaymentStatus


def payment_transition(*, payment: Payment, to: PaymentStatus, **changes) -> Payment | None:
    """Move the payment to ``to`` under a row lock with ``changes``; return None when its status does not allow it
    (a repeated outcome, or one overtaken by another)."""
    locked = Payment.objects.select_for_update().get(pk=payment.pk)
    if (locked.status, to) not in TRANSITIONS:
        return None
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", "updated_at", *changes])
    return locked
