"""Refunds: a caseworker asks with a reason, a supervisor of the department (someone else) approves, a task sends
it to the provider. Never more than was paid and not yet refunded or asked for."""

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.permissions import StaffScope
from services.catalogue.fees import yuan
from services.common.errors import InvalidTransition, NotAllowed, ValidationFailed
from services.common.tasks import publish_on_commit

from .models import MONEY_TAKEN, Payment, PaymentStatus, Refund, RefundStatus
from .providers import payment_provider
from .providers.base import ProviderError
from .workflow import payment_transition

logger = logging.getLogger(__name__)
COUNTED = (RefundStatus.REQUESTED, RefundStatus.APPROVED, RefundStatus.DONE)  # what a new refund must leave room for


def refundable_fen(*, payment: Payment) -> int:
    """Return what may still be refunded: the amount paid, less the refunds done, approved or asked for."""
    if payment.status not in MONEY_TAKEN:
        return 0
    asked = payment.refunds.filter(status__in=COUNTED).aggregate(total=Sum("amount_fen"))["total"] or 0
    return payment.amount_fen - asked


def refund_check(*, payment: Payment, amount_fen, reason: str, scope: StaffScope) -> str:
    """Raise unless staff of ``scope`` may ask for this refund now; return the reason, trimmed."""
    if not scope.works_in(payment.application.department_id):
        raise NotAllowed(_("Only staff of the application's department may ask for a refund."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("Give the reason for the refund."), errors={"reason": [_("Required.")]})
    room = refundable_fen(payment=payment)
    if not isinstance(amount_fen, int) or amount_fen <= 0 or amount_fen > room:
        message = _("A refund is more than nothing and at most %(amount)s, what was paid and not yet refunded.") % {
            "amount": yuan(room)
        }
        raise ValidationFailed(message, errors={"amount_fen": [message]})
    return reason[:1000]


@transaction.atomic
def refund_request(*, payment: Payment, amount_fen: int, reason: str, by, scope: StaffScope) -> Refund:
    """Ask for a refund of a payment of one's department's application, with the reason for the resident; a
    supervisor approves it."""
    locked = Payment.objects.select_for_update(of=("self",)).select_related("application").get(pk=payment.pk)
    reason = refund_check(payment=locked, amount_fen=amount_fen, reason=reason, scope=scope)
    return Refund.objects.create(payment=locked, amount_fen=amount_fen, reason=reason, requested_by=by)


def _decide(*, refund: Refund, by, scope: StaffScope, to: RefundStatus) -> Refund:
    if not scope.supervises(refund.payment.application.department_id):
        raise NotAllowed(_("Only a supervisor of the application's department may approve or reject a refund."))
    if refund.requested_by_id == by.pk:
        raise NotAllowed(_("Someone other than who asked for the refund must approve or reject it."))
    with transaction.atomic():
        moved = Refund.objects.filter(pk=refund.pk, status=RefundStatus.REQUESTED).update(
            status=to, approved_by=by, updated_at=timezone.now()
        )
        if not moved:
            raise InvalidTransition(_("This refund has already been decided."))
        if to == RefundStatus.APPROVED:
            publish_on_commit("services.payments.tasks.send_refund", (refund.pk,), reference=str(refund.payment))
    refund.refresh_from_db()
    return refund


def refund_approve(*, refund: Refund, by, scope: StaffScope) -> Refund:
    """Approve a refund someone else asked for (a supervisor of the department): it is sent to the provider."""
    return _decide(refund=refund, by=by, scope=scope, to=RefundStatus.APPROVED)


def refund_reject(*, refund: Refund, by, scope: StaffScope) -> Refund:
    """Reject a refund someone else asked for (a supervisor of the department)."""
    return _decide(refund=refund, by=by, scope=scope, to=RefundStatus.REJECTED)


def refund_send(*, refund_id: int) -> Refund | None:
    """Send an approved refund to the provider and record it on the payment; a provider that cannot be reached
    raises ProviderError (the task retries: the refund number makes a repeat harmless), one that refuses fails it."""
    refund = Refund.objects.select_related("payment__application").filter(pk=refund_id).first()
    if refund is None or refund.status != RefundStatus.APPROVED:
        return refund
    try:
        reference = payment_provider(refund.payment.provider).refund(refund=refund)
    except ProviderError as exc:
        if not exc.code:
            raise
        Refund.objects.filter(pk=refund.pk, status=RefundStatus.APPROVED).update(status=RefundStatus.FAILED)
        logger.error("refund refused", extra={"reference": str(refund.payment.application), "code": exc.code})
        return refund
    with transaction.atomic():
        if not Refund.objects.filter(pk=refund.pk, status=RefundStatus.APPROVED).update(
            status=RefundStatus.DONE, provider_reference=reference, done_at=timezone.now()
        ):
            return refund  # recorded by another delivery of this task
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)  # refunds of one payment in turn
        refunded = payment.refunded_fen + refund.amount_fen
        full = refunded >= payment.amount_fen
        payment_transition(
            payment=payment,
            to=PaymentStatus.REFUNDED if full else PaymentStatus.PARTLY_REFUNDED,
            refunded_fen=refunded,
        )
    refund.refresh_from_db()
    return refund
