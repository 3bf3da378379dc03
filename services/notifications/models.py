from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from services.common.ids import uuid7
from services.common.models import TimeStampedModel


class Event(models.TextChoices):
    """What happened; each has its message in templates/notifications/<event>.txt."""

    SUBMITTED = "submitted", _("Application submitted")
    ROUTED = "routed", _("Application routed")
    INFORMATION_REQUESTED = "information_requested", _("Information requested")
    DECIDED = "decided", _("Application decided")
    DRAFT_DEADLINE = "draft_deadline", _("Draft deadline approaching")
    OVERDUE = "overdue", _("Application overdue")
    BAD_RATING = "bad_rating", _("Bad rating")
    APPOINTMENT_BOOKED = "appointment_booked", _("Appointment booked")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder")
    APPOINTMENT_CHANGED = "appointment_changed", _("Appointment moved or cancelled")
    FOLLOW_UP_RESOLVED = "follow_up_resolved", _("Bad rating followed up")
    DOCUMENT_REFUSED = "document_refused", _("Uploaded document refused")
    ID_NUMBER_RELEASED = "id_number_released", _("ID number taken over by a verified identity")
    ID_NUMBER_CONFIRMED = "id_number_confirmed", _("ID number confirmed")
    MANDATE_CHANGED = "mandate_changed", _("Mandate accepted, approved or revoked")
    ACTED_FOR_YOU = "acted_for_you", _("An agent acted on your application")
    ENTITLEMENT_OFFERED = "entitlement_offered", _("A benefit offered without applying")
    ENTITLEMENT_GRANTED = "entitlement_granted", _("A benefit granted without applying")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("In-app inbox")
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message (SMS)")
    PUSH = "push", _("Push message to the app")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class NotificationQuerySet(models.QuerySet):
    def inbox_of(self, user):
        """The user's in-app messages that have been delivered, newest first."""
        return self.filter(recipient=user, channel=Channel.IN_APP, status=DeliveryStatus.SENT)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(TimeStampedModel):
    """One message to one recipient through one channel; its payload is worded in their language when sent."""

    public_id = models.UUIDField(_("public id"), default=uuid7, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    event = models.CharField(_("event"), max_length=30, choices=Event.choices)
    # Names the occurrence, e.g. "application-event:42": with the channel and the recipient it is unique,
    # so however often a task is delivered, each message exists, and is sent, once.
    event_key = models.CharField(_("event key"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(
        _("delivery status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "channel", "recipient"], name="unique_notification")
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "-created_at"], name="notif_inbox"),
            # The unread count reads only unread entries (up to its cap), not each of the resident's messages.
            models.Index(
                fields=["recipient"],
                name="notif_unread",
                condition=Q(channel=Channel.IN_APP, status=DeliveryStatus.SENT, read_at__isnull=True),
            ),
            models.Index(fields=["status", "updated_at"], name="notif_undelivered"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} → {self.recipient} ({self.get_channel_display()})"
