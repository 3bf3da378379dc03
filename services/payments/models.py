"""Payments of application fees: one row per attempt, each provider notification kept raw, refunds, and the nightly
reconciliation's findings."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.catalogue.fees import yuan
from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    PENDING = "pending", _("Waiting for the payment")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
    REFUNDED = "refunded", _("Refunded")


# The lifecycle of a payment: every allowed move (services.payments.actions.payment_transition makes them).
# The provider's word is the truth, so a payment the portal gave up on (expired, failed) still becomes paid when
# the provider says the resident paid; the money is then kept or refunded like any other payment.
TRANSITIONS: frozenset[tuple[str, str]] = frozenset(
    {
        (PaymentStatus.CREATED, PaymentStatus.PENDING),
        (PaymentStatus.CREATED, PaymentStatus.FAILED),
        (PaymentStatus.CREATED, PaymentStatus.EXPIRED),
        (PaymentStatus.PENDING, PaymentStatus.PAID),
        (PaymentStatus.PENDING, PaymentStatus.FAILED),
        (PaymentStatus.PENDING, PaymentStatus.EXPIRED),
        (PaymentStatus.FAILED, PaymentStatus.PAID),
        (PaymentStatus.EXPIRED, PaymentStatus.PAID),
        (PaymentStatus.PAID, PaymentStatus.PARTLY_REFUNDED),
        (PaymentStatus.PAID, PaymentStatus.REFUNDED),
        (PaymentStatus.PARTLY_REFUNDED, PaymentStatus.PARTLY_REFUNDED),
        (PaymentStatus.PARTLY_REFUNDED, PaymentStatus.REFUNDED),
    }
)
OPEN_PAYMENT = Q(status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING])
MONEY_TAKEN = (PaymentStatus.PAID, PaymentStatus.PARTLY_REFUNDED, PaymentStatus.REFUNDED)


def new_trade_number() -> str:
    """Return a new attempt's idempotency key, sent to the provider as its merchant order number (≤ 32 characters,
    letters and digits, as WeChat Pay and Alipay accept)."""
    return uuid.uuid4().hex


class Payment(TimeStampedModel):
    """One attempt to pay an application's fee at a provider."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="payments", verbose_name=_("application")
    )
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments", verbose_name=_("payer")
    )
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    refunded_fen = models.PositiveIntegerField(_("refunded (fen)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    provider = models.CharField(_("provider"), max_length=20)
    # The attempt's idempotency key, sent as the merchant's order number: a retried start never charges twice.
    trade_number = models.CharField(_("order number"), max_length=32, unique=True, default=new_trade_number)
    provider_reference = models.CharField(_("provider's reference"), max_length=64, unique=True, null=True, blank=True)
    checkout_url = models.URLField(_("checkout address"), max_length=500, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["expires_at"], name="payment_open_expiry", condition=OPEN_PAYMENT),
            models.Index(fields=["paid_at"], name="payment_paid_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(refunded_fen__lte=models.F("amount_fen")), name="refund_le_paid")
        ]

    def __str__(self):
        return f"{self.application} · {yuan(self.amount_fen)} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("payments:detail", kwargs={"public_id": self.public_id})

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)

    @property
    def refunded_yuan(self) -> str:
        return yuan(self.refunded_fen)

    @property
    def is_open(self) -> bool:
        return self.status in (PaymentStatus.CREATED, PaymentStatus.PENDING)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PaymentEvent(models.Model):
    """A provider's notification as it arrived, kept whole; one row per provider event, so a repeat is seen."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("provider's event id"), max_length=100)
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("payment")
    )
    headers = models.JSONField(_("headers"), default=dict)
    body = models.TextField(_("body as received"))
    resource = models.JSONField(_("content (decrypted)"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="unique_provider_event")]

    def __str__(self):
        return f"{self.provider} {self.event_id}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Waiting for a supervisor")
    APPROVED = "approved", _("Approved, being sent")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Refunded")
    FAILED = "failed", _("Refused by the provider")


class Refund(TimeStampedModel):
    """Money given back on a payment: asked for with a reason, approved by a supervisor, sent to the provider."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"))
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    refund_number = models.CharField(_("refund number"), max_length=32, unique=True, default=new_trade_number)
    provider_reference = models.CharField(_("provider's reference"), max_length=64, blank=True)
    done_at = models.DateTimeField(_("refunded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.payment.application} · {yuan(self.amount_fen)} · {self.get_status_display()}"

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


class MismatchKind(models.TextChoices):
    MISSING_HERE = "missing_here", _("At the provider, not in the portal")
    MISSING_THERE = "missing_there", _("Paid in the portal, not at the provider")
    AMOUNT = "amount", _("Amounts differ")
    STATUS = "status", _("Statuses differ")


class ReconciliationRun(models.Model):
    """One comparison of a day's payments with the provider's statement for that day."""

    provider = models.CharField(_("provider"), max_length=20)
    day = models.DateField(_("day"))
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)
    payments = models.PositiveIntegerField(_("payments compared"), default=0)
    mismatches = models.PositiveIntegerField(_("mismatches"), default=0)

    class Meta:
        verbose_name = _("reconciliation")
        verbose_name_plural = _("reconciliations")
        ordering = ["-day", "-ran_at"]

    def __str__(self):
        return f"{self.provider} {self.day}"


class Mismatch(models.Model):
    """A payment on which the portal and the provider's statement disagree."""

    run = models.ForeignKey(ReconciliationRun, on_delete=models.CASCADE, related_name="found", verbose_name=_("run"))
    kind = models.CharField(_("kind"), max_length=20, choices=MismatchKind.choices)
    trade_number = models.CharField(_("order number"), max_length=32)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("payment"))
    portal = models.CharField(_("in the portal"), max_length=100, blank=True)
    provider = models.CharField(_("at the provider"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("reconciliation mismatch")
        verbose_name_plural = _("reconciliation mismatches")
        ordering = ["run", "kind", "trade_number"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.trade_number}"
