"""Writes on notifications: create them for an event (``notify``), deliver each once, mark them read.

Producers call ``notify(event=..., event_key=..., recipients=..., payload=...)`` inside their own transaction;
the rows are the outbox. The inbox's rows are delivered as they are made (nothing to send); the others are
published after commit, one message per channel on the channel's own queue (``notifications.<channel>``), so a
gateway that hangs holds up its own channel only.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q, prefetch_related_objects
from django.utils import timezone

from services.common.bulk import rows_delete
from services.common.tasks import publish_on_commit

from .channels import CHANNELS, PermanentFailure
from .models import Channel, DeliveryStatus, Event, Notification
from .rendering import render_message
from .selectors import notification_channels_for, notification_language_for

logger = logging.getLogger(__name__)


def sending_lease() -> dt.timedelta:
    """Return how long a message may be "sending": past it, its worker (or its database) was lost mid-send and the
    message may be claimed again. Twice the slowest channel's timeout and a margin (30 s by default)."""
    slowest = max(settings.EMAIL_TIMEOUT, settings.SMS_GATEWAY_TIMEOUT_SECONDS, settings.PUSH_GATEWAY_TIMEOUT_SECONDS)
    return dt.timedelta(seconds=2 * slowest + 10)


def channel_queue(channel: str) -> str:
    """Return the Celery queue of a channel's deliveries."""
    return f"notifications.{channel}"


def notify(*, event: Event, event_key: str, recipients, payload: dict, new_key: bool = False) -> list[Notification]:
    """Create the event's notifications (the inbox, plus each recipient's chosen channels) and deliver them
    after commit. ``event_key`` names the occurrence: calling again with the same key adds nothing.

    ``payload`` is JSON: text in both languages as {"zh": ..., "en": ...}, and ``path`` for the link.
    ``new_key``: the key names a row created in this transaction, so no notification can have it yet.
    """
    if new_key:
        return notify_new(
            notices=[{"event": event, "event_key": event_key, "recipients": recipients, "payload": payload}]
        )
    started = timezone.now()
    # One insert; a repeated event_key (a retried producer) adds nothing and sends nothing again.
    Notification.objects.bulk_create(_rows(event, event_key, recipients, payload, started), ignore_conflicts=True)
    created = list(Notification.objects.filter(event_key=event_key, created_at__gte=started))
    _publish_pending(created)
    return created


def notify_new(*, notices: list[dict]) -> list[Notification]:
    """Create the notifications of several occurrences at once (each a dict of ``notify``'s arguments) whose keys
    name rows created in this transaction, so no notification can have them yet: one insert that returns the new
    rows, delivered after commit one message per channel."""
    started = timezone.now()
    recipients = [recipient for notice in notices for recipient in notice["recipients"]]
    if settings.PUSH_ENABLED and len(recipients) > 1:  # whether each has a phone, in one read
        prefetch_related_objects(recipients, "devices")
    rows = [row for notice in notices for row in _rows(**notice, started=started)]
    created = Notification.objects.bulk_create(rows) if rows else []
    _publish_pending(created)
    return created


def _rows(event: Event, event_key: str, recipients, payload: dict, started) -> list[Notification]:
    rows = [
        Notification(event_key=event_key, channel=channel, recipient=recipient, event=event, payload=payload)
        for recipient in recipients
        for channel in notification_channels_for(user=recipient)
    ]
    for row in rows:
        if row.channel == Channel.IN_APP:  # the inbox has nothing to send: delivered at once
            row.status, row.sent_at = DeliveryStatus.SENT, started
    return rows


def _publish_pending(created: list[Notification]) -> None:
    by_channel = {}
    for notification in created:
        if notification.status == DeliveryStatus.PENDING:
            by_channel.setdefault(notification.channel, []).append(notification.pk)
    # One message per channel, on the channel's queue (the rows are the outbox: the sweep covers a lost one).
    for channel, ids in by_channel.items():
        publish_on_commit("services.notifications.tasks.deliver_notifications", (ids,), queue=channel_queue(channel))


def notification_deliver(*, notification_id: int) -> Notification | None:
    """Send one notification unless it is already sent or being sent: a redelivered task sends nothing.

    The row is claimed with a conditional update first. A permanent failure, or the last allowed attempt
    failing, marks it failed and falls back to another channel; other errors put it back to pending and
    are raised, so the task retries later.
    """
    now = timezone.now()
    lost = Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - sending_lease())
    claimable = Q(status=DeliveryStatus.PENDING) | lost
    if not Notification.objects.filter(claimable, pk=notification_id).update(
        status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    ):
        return None
    notification = Notification.objects.select_related("recipient__profile").get(pk=notification_id)
    try:
        language = notification_language_for(user=notification.recipient)
        message = render_message(notification=notification, language=language)
        CHANNELS[notification.channel].send(notification, message)
    except PermanentFailure as exc:
        _fail(notification, exc)
    except Exception as exc:
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            _fail(notification, exc)
        else:
            _finish(notification, status=DeliveryStatus.PENDING, last_error=str(exc)[:500])
            raise
    else:
        _finish(notification, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return notification


def _finish(notification: Notification, **changes) -> None:
    Notification.objects.filter(pk=notification.pk, status=DeliveryStatus.SENDING).update(**changes)
    for field, value in changes.items():
        setattr(notification, field, value)


def _fail(notification: Notification, exc: Exception) -> None:
    """Mark the notification failed and send it through the first fallback channel not tried yet."""
    _finish(notification, status=DeliveryStatus.FAILED, last_error=str(exc)[:500])
    logger.warning("notification %s via %s failed: %s", notification.public_id, notification.channel, exc)
    for channel in CHANNELS[notification.channel].fallback:
        fallback, created = Notification.objects.get_or_create(
            event_key=notification.event_key,
            channel=channel,
            recipient=notification.recipient,
            defaults={"event": notification.event, "payload": notification.payload},
        )
        if created:
            publish_on_commit(
                "services.notifications.tasks.deliver_notification", (fallback.pk,), queue=channel_queue(channel)
            )
            return
        if fallback.status != DeliveryStatus.FAILED:
            return  # already on its way that way


def notifications_purge(*, batch: int = 5000) -> int:
    """Delete notifications finished (sent or failed) and untouched for NOTIFICATION_RETENTION_DAYS, batch by batch
    (each its own short transaction); return how many."""
    cutoff = timezone.now() - dt.timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
    finished = Notification.objects.filter(
        status__in=[DeliveryStatus.SENT, DeliveryStatus.FAILED], updated_at__lt=cutoff
    )
    return rows_delete(queryset=finished, batch=batch)


def account_email_send(*, message: dict) -> None:
    """Send an account email rendered by allauth (subject, body, content_subtype, html, from_email, to)."""
    email = EmailMultiAlternatives(
        subject=message["subject"], body=message["body"], from_email=message["from_email"], to=message["to"]
    )
    email.content_subtype = message["content_subtype"]
    if message["html"]:
        email.attach_alternative(message["html"], "text/html")
    email.send()


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one in-app notification read (again is a no-op)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark all the user's in-app notifications read; return how many were unread."""
    return Notification.objects.inbox_of(user).unread().update(read_at=timezone.now())
