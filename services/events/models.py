"""The outbox of events (CloudEvents 1.0) and their webhook deliveries to the departments' own systems."""

import base64
import secrets

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel

from .signing import host_allowed

# What may happen, by CloudEvents type: subscriptions choose among these. A producer adds its types here.
TYPE_PREFIX = "cn.gov.sh.portal."
EVENT_TYPES = (
    {
        f"{TYPE_PREFIX}application.{name}": label
        for name, label in [
            ("submitted", _("application submitted")),
            ("routed", _("application routed to a department")),
            ("claimed", _("application claimed by a caseworker")),
            ("assigned", _("application assigned to a caseworker")),
            ("released", _("application released to the queue")),
            ("information_requested", _("information requested from the resident")),
            ("information_answered", _("information answered by the resident")),
            ("decided", _("application approved or rejected")),
            ("withdrawn", _("application withdrawn")),
        ]
    }
    | {
        f"{TYPE_PREFIX}credential.{name}": label
        for name, label in [("issued", _("credential issued")), ("revoked", _("credential revoked"))]
    }
    | {f"{TYPE_PREFIX}circumstance.reported": _("change of circumstances reported")}
)


def new_secret() -> str:
    """Return a new Standard Webhooks signing secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Event(models.Model):
    """Something that happened, as a CloudEvent, written in the transaction of the change it tells of."""

    event_id = models.UUIDField(_("event id"), default=uuid7, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=100)
    source = models.CharField(_("source"), max_length=200)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    # Events of one key (an application) are delivered to each subscription in the order they were written.
    ordering_key = models.CharField(_("ordering key"), max_length=100, blank=True)
    department = models.ForeignKey(
        "catalogue.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)
    # The portal's own apps react to it (services/events/reactions.py) and have not yet: the sweep's outbox.
    reactions_pending = models.BooleanField(_("reactions pending"), default=False)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["time"], name="event_reactions_pending", condition=Q(reactions_pending=True))]

    def __str__(self):
        return f"{self.type} {self.subject}"

    def as_cloudevent(self) -> dict:
        """The event in the CloudEvents 1.0 JSON format (structured mode)."""
        event = {
            "specversion": "1.0",
            "id": str(self.event_id),
            "source": self.source,
            "type": self.type,
            "time": self.time.isoformat(),
            "datacontenttype": "application/json",
            "data": self.data,
        }
        if self.subject:
            event["subject"] = self.subject
        return event


class Subscription(TimeStampedModel):
    """A department system's endpoint: the events it wants, signed with its secret(s), delivered while active."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("endpoint URL"), max_length=500)
    event_types = models.JSONField(_("event types"), default=list, blank=True, help_text=_("None chosen: all."))
    departments = models.ManyToManyField(
        "catalogue.Department", blank=True, related_name="+", verbose_name=_("departments"), help_text=_("None: all.")
    )
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    # While a new secret is rolled out, deliveries are signed with both: the receiver accepts either.
    previous_secret = models.CharField(_("previous signing secret"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Paused: deliveries wait, in order."))

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.url and not host_allowed(self.url):
            raise ValidationError({"url": _("This host is not in WEBHOOK_ALLOWED_HOSTS.")})
        unknown = set(self.event_types) - set(EVENT_TYPES)
        if unknown:
            raise ValidationError({"event_types": _("Unknown event types: %s") % ", ".join(sorted(unknown))})

    def wants(self, *, type: str, department_ids: set[int], department_id: int | None) -> bool:
        """Whether this subscription takes an event of ``type`` about ``department_id`` (its departments given)."""
        type_ok = not self.event_types or type in self.event_types
        return type_ok and (not department_ids or department_id in department_ids)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    DEAD = "dead", _("Dead letter")


UNDELIVERED = Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.DEAD])


class Delivery(TimeStampedModel):
    """One event for one subscription: tried on the retry schedule until the receiver takes it or it is dead."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("subscription")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event"))
    ordering_key = models.CharField(_("ordering key"), max_length=100, blank=True)  # the event's, for the index
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    # A worker sending it holds it until then; one that died mid-send lets it go when this passes.
    leased_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="delivery_once")]
        indexes = [
            # "Is an earlier event of this application still undelivered to this subscription?"
            models.Index(
                fields=["subscription", "ordering_key", "event"], name="delivery_order", condition=UNDELIVERED
            ),
            # The sweep: pending deliveries by when they are due.
            models.Index(fields=["next_attempt_at"], name="delivery_due", condition=Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """One try of a delivery: when, the receiver's status, how long it took, what it answered or what failed."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(_("at"), default=timezone.now)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    response_excerpt = models.CharField(_("response excerpt"), max_length=500, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.delivery_id} {self.status_code or self.error}"
