"""The messages' part of a resident's personal data."""

from services.accounts.privacy import register

from .models import Notification


def export_notifications(user):
    """Return the messages sent to the resident: what, through which channel, when sent and read."""
    rows = Notification.objects.filter(recipient=user).values("event", "channel", "status", "created_at", "sent_at",
                                                              "read_at")  # fmt: skip
    return list(rows), []


def erase_notifications(user) -> None:
    """Delete every message to the resident."""
    Notification.objects.filter(recipient=user).delete()


register(app_label="notifications", section="notifications", export_for=export_notifications,
         erase_for=erase_notifications)  # fmt: skip
