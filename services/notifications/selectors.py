import datetime as dt

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from services.accounts.selectors import profile_for_user

from .channels import CHANNELS
from .models import Channel, DeliveryStatus, Notification
from .rendering import Message, render_message


def notification_channels_for(*, user) -> list[Channel]:
    """Return the channels a user is told through: those of the registry that the user wants (the inbox always)."""
    return [channel for channel, spec in CHANNELS.items() if spec.wanted_by(user)]


def notification_language_for(*, user) -> str:
    """Return the language a user reads messages in: their profile's preference (staff: the default)."""
    profile = profile_for_user(user=user)
    return profile.preferred_language if profile.pk else settings.LANGUAGE_CODE


def inbox_list(*, user, since: dt.datetime | None = None) -> QuerySet[Notification]:
    """Return the user's delivered in-app notifications, newest first; only those after ``since`` if given."""
    notifications = Notification.objects.inbox_of(user)
    return notifications.filter(created_at__gt=since) if since else notifications


def inbox_get(*, user, public_id) -> Notification:
    """Return one of the user's in-app notifications or raise Http404."""
    notification = inbox_list(user=user).filter(public_id=public_id).first()
    if notification is None:
        raise Http404
    return notification


# Unread messages are counted up to this many: the badge then says "99+", and the count reads at most this many
# entries of the unread index, however many a resident has left unread.
UNREAD_COUNTED_UP_TO = 100


def unread_count(*, user) -> int:
    """Return how many of the user's in-app notifications are unread, up to UNREAD_COUNTED_UP_TO (which then means
    that many or more)."""
    return Notification.objects.inbox_of(user).unread().order_by()[:UNREAD_COUNTED_UP_TO].count()


def notification_message(*, notification: Notification) -> Message:
    """Return the notification worded in the current language (the inbox speaks the reader's language)."""
    return render_message(notification=notification, language=get_language() or settings.LANGUAGE_CODE)


def undelivered_notifications(*, older_than: dt.timedelta, sending_lease: dt.timedelta) -> list[Notification]:
    """Return (id and channel of) the notifications a sweep delivers again: pending and untouched for
    ``older_than`` (a lost message), or being sent for longer than ``sending_lease`` (its worker, or its worker's
    database, was lost mid-send)."""
    now = timezone.now()
    lost = Q(status=DeliveryStatus.PENDING, updated_at__lt=now - older_than) | Q(
        status=DeliveryStatus.SENDING, claimed_at__lt=now - sending_lease
    )
    return list(Notification.objects.filter(lost).only("pk", "channel")[:1000])


def failed_notification_counts() -> dict[str, int]:
    """Return the number of messages whose delivery failed for good, per channel (every channel named)."""
    counts = dict.fromkeys(Channel.values, 0)
    rows = Notification.objects.filter(status=DeliveryStatus.FAILED).values("channel").annotate(n=Count("pk"))
    counts.update({row["channel"]: row["n"] for row in rows})
    return counts
