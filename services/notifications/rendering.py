"""Put a notification's payload into words, in one language: a subject, plain text and HTML, and an SMS.

Each event has one template, templates/notifications/<event>.txt: its first line is the subject, the rest
the body. The email layouts wrap the body (GOV.UK Notify's way: one text, two formats). Payload values
given in both languages ({"zh": ..., "en": ...}) are picked for the language, at any depth.
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from services.common.i18n import is_chinese

from .models import Notification


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    text: str
    html: str
    sms: str


def _pick(value, language: str):
    """Return the value in ``language``, within lists and objects too (e.g. each listed application's service)."""
    if isinstance(value, dict):
        if set(value) == {"zh", "en"}:
            first, other = ("zh", "en") if is_chinese(language) else ("en", "zh")
            return value[first] or value[other]
        return {name: _pick(item, language) for name, item in value.items()}
    if isinstance(value, list):
        return [_pick(item, language) for item in value]
    return value


def render_message(*, notification: Notification, language: str) -> Message:
    """Return the notification worded in ``language``."""
    base = settings.PORTAL_URL.rstrip("/")
    context = {name: _pick(value, language) for name, value in notification.payload.items()}
    context["link"] = base + context["path"] if context.get("path") else ""
    with translation.override(language):
        subject, _, body = render_to_string(f"notifications/{notification.event}.txt", context).strip().partition("\n")
        layout = {
            **context,
            "subject": subject.strip(),
            "body": body.strip(),
            "language": translation.get_language(),
            "profile_link": base + reverse("accounts:profile"),
        }
        return Message(
            subject=layout["subject"],
            body=layout["body"],
            text=render_to_string("notifications/email.txt", layout),
            html=render_to_string("notifications/email.html", layout),
            sms=render_to_string("notifications/sms.txt", layout).strip(),
        )
