"""Writes on payments: start one, apply what the provider says (its notification or a status read), expire them.
Refunds and the reconciliation are in refunds.py and reconciliation.py.

The provider's word is the only truth about money: the browser's return from the checkout only makes the portal
ask the provider (``payment_refresh``), and a notification counts once its signature is the provider's.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from services.applications.fees import application_fee_paid
from services.applications.models import Application
from services.common.errors import InvalidTransition, NotAllowed
from services.common.tasks import publish_on_commit

from .errors import ProviderUnavailable
from .models import OPEN_PAYMENT, Payment, PaymentEvent, PaymentStatus, Refund, RefundStatus
from .providers import payment_provider
from .providers.base import CLOSED, FAILED, PAID, ProviderError
from .selectors import payment_for_notification
from .workflow import payment_transition, payment_transition_where

logger = logging.getLogger(__name__)


def _open_payment(application: Application) -> Payment | None:
    return application.payments.filter(OPEN_PAYMENT, expires_at__gt=timezone.now()).order_by("-created_at").first()


def payment_start(*, application: Application, by) -> Payment:
    """Return the application's payment in progress, or start one at the provider for its fee; a repeated start (a
    double click, a retried request) gets the same payment, whose order number makes the provider's side
    idempotent too. The provider reaches the portal at settings.PORTAL_URL."""
    if by is None or application.applicant_id != by.pk:
        raise NotAllowed(_("Only the applicant pays the fee."))
    with transaction.atomic():
        Application.objects.select_for_update().filter(pk=application.pk).exists()  # one start at a time
        application.refresh_from_db(fields=["status", "fee_status", "fee_fen"])
        if not application.awaits_payment:
            raise InvalidTransition(_("This application has no fee to pay."))
        payment = _open_payment(application) or Payment.objects.create(
            application=application,
            payer=by,
            amount_fen=application.fee_fen,
            provider=settings.PAYMENT_PROVIDER,
            expires_at=timezone.now() + dt.timedelta(minutes=settings.PAYMENT_EXPIRY_MINUTES),
        )
    if payment.checkout_url:
        return payment
    portal = settings.PORTAL_URL.rstrip("/")
    try:
        checkout = payment_provider(payment.provider).start(
            payment=payment,
            description=f"{application.reference} {application.service.title}",
            notify_url=f"{portal}{reverse('payments:notify', kwargs={'provider': payment.provider})}",
            return_url=f"{portal}{payment.get_absolute_url()}",
        )
    except ProviderError as exc:
        logger.warning("payment start failed", extra={"reference": application.reference, "code": exc.code})
        raise ProviderUnavailable() from exc
    with transaction.atomic():
        started = payment_transition(
            payment=payment,
            to=PaymentStatus.PENDING,
            checkout_url=checkout.url,
            provider_reference=checkout.reference or None,
        )
    return started or Payment.objects.get(pk=payment.pk)


@transaction.atomic(savepoint=False)  # nothing inside is caught and carried on from: no savepoint's round trips
def payment_record_outcome(*, payment: Payment, status: str, amount_fen: int | None, reference: str = "") -> Payment:
    """Apply what the provider says of the payment: paid (the fee is then paid, or the money refunded when the
    application no longer owes it), failed or closed; anything else changes nothing."""
    if status == PAID:
        if amount_fen != payment.amount_fen:
            logger.error("paid amount differs", extra={"reference": str(payment.application), "paid": amount_fen})
            return payment  # not the fee: the reconciliation lists it for people to look at
        paid = payment_transition(
            payment=payment,
            to=PaymentStatus.PAID,
            paid_at=timezone.now(),
            provider_reference=reference or payment.provider_reference,
        )
        return payment if paid is None else _fee_paid(paid)
    if status in (FAILED, CLOSED):
        to = PaymentStatus.FAILED if status == FAILED else PaymentStatus.EXPIRED
        return payment_transition(payment=payment, to=to) or payment
    return payment


def _fee_paid(payment: Payment) -> Payment:
    """Record the fee of a payment just moved to paid as paid (the application is then routed), or refund the money
    when the application no longer owes it."""
    if not application_fee_paid(application=payment.application):
        _refund_unneeded(payment)
    return payment


def _paid_as_notified(*, provider: str, notice) -> Payment | None:
    """The usual notification (paid, the fee's amount, a payment waiting for it) applied in one statement that finds
    and moves the payment; None for any other (nothing changed: the payment is then read to apply it)."""
    if notice.status != PAID:
        return None
    lookup = Q(provider=provider, trade_number=notice.trade_number, amount_fen=notice.amount_fen)
    reference = {"provider_reference": notice.reference} if notice.reference else {}
    paid = payment_transition_where(lookup=lookup, to=PaymentStatus.PAID, paid_at=timezone.now(), **reference)
    return None if paid is None else _fee_paid(paid)


def _refund_unneeded(payment: Payment) -> None:
    """Give back a payment the application did not need (paid twice, or withdrawn meanwhile) without waiting for
    anyone: nobody needs to approve returning money that was never owed."""
    refund = Refund.objects.create(
        payment=payment,
        amount_fen=payment.amount_fen,
        reason=_("Refunded automatically: the application's fee was already paid or no longer due."),
        status=RefundStatus.APPROVED,
    )
    publish_on_commit("services.payments.tasks.send_refund", (refund.pk,), reference=str(payment.application))
    logger.warning("payment not needed: refunded", extra={"reference": str(payment.application)})


def payment_notification_receive(*, provider: str, headers, body: bytes) -> str:
    """Verify a provider's notification, apply it and keep it raw (once per provider event); return what became
    of it. Raises BadNotification when the provider did not sign it (nothing is kept)."""
    notice = payment_provider(provider).verify(headers=headers, body=body)
    try:
        with transaction.atomic():
            payment = _paid_as_notified(provider=provider, notice=notice)
            if payment is None:  # not the usual one: read the payment, then apply what the provider says
                payment = payment_for_notification(provider=provider, trade_number=notice.trade_number)
                if payment is not None:
                    payment = payment_record_outcome(
                        payment=payment, status=notice.status, amount_fen=notice.amount_fen, reference=notice.reference
                    )
            outcome = "unknown payment" if payment is None else f"{notice.status}: payment {payment.status}"
            # Kept last, with its outcome: a repeat (its row is unique per provider and event id) rolls back
            # whatever it did, and a first delivery costs no second write of its row.
            PaymentEvent.objects.create(
                provider=provider,
                event_id=notice.event_id,
                payment=payment,
                headers=dict(headers),
                body=body.decode("utf-8", errors="replace"),
                resource=notice.resource,
                outcome=outcome,
            )
    except IntegrityError:
        if PaymentEvent.objects.filter(provider=provider, event_id=notice.event_id).exists():
            return "duplicate"
        raise  # not a repeat (e.g. a provider reference already another payment's): never acknowledged as one
    return outcome


def payment_refresh(*, payment: Payment) -> Payment:
    """Ask the provider how an open payment stands and apply it (the resident's return from the checkout never
    says so itself); the payment as it is when the provider cannot be reached."""
    if not payment.is_open:
        return payment
    try:
        answer = payment_provider(payment.provider).read(payment=payment)
    except ProviderError:
        logger.warning("payment status read failed", extra={"reference": str(payment.application)})
        return payment
    return payment_record_outcome(
        payment=payment, status=answer.status, amount_fen=answer.amount_fen, reference=answer.reference
    )


def payments_expire(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Expire open payments past their time, each after asking the provider (one paid at the last second is
    kept); return how many expired."""
    now = now or timezone.now()
    expired = 0
    for payment in Payment.objects.filter(OPEN_PAYMENT, expires_at__lt=now).order_by("expires_at")[:limit]:
        payment = payment_refresh(payment=payment)
        if payment.is_open:
            with transaction.atomic():
                expired += payment_transition(payment=payment, to=PaymentStatus.EXPIRED) is not None
    return expired
