"""Which appointment event tells the resident what, through notify(): booked, reminded, moved or cancelled."""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from services.notifications.actions import notify
from services.notifications.models import Event

from .models import Appointment

CANCEL_SALT = "appointments.cancel"
EVENTS = {
    "booked": Event.APPOINTMENT_BOOKED,
    "reminder": Event.APPOINTMENT_REMINDER,
    "moved": Event.APPOINTMENT_CHANGED,
    "cancelled": Event.APPOINTMENT_CHANGED,
}


def cancel_token(*, appointment: Appointment) -> str:
    """Return the signed token of the appointment's cancel link (in its confirmation and reminder)."""
    return signing.dumps(str(appointment.public_id), salt=CANCEL_SALT)


def notify_appointment(*, appointment: Appointment, kind: str) -> None:
    """Tell the resident their appointment is booked (with the cancel link), coming, moved or cancelled."""
    location, application = appointment.location, appointment.application
    payload = {
        "reference": application.reference,
        "service": {"zh": application.service.title_zh, "en": application.service.title_en},
        "location": {"zh": location.name_zh, "en": location.name_en},
        "address": {"zh": location.address_zh, "en": location.address_en},
        "time": timezone.localtime(appointment.starts_at).strftime("%Y-%m-%d %H:%M"),
        "kind": kind,
        "path": appointment.get_absolute_url(),
        "cancel_link": settings.PORTAL_URL.rstrip("/")
        + reverse("appointments:cancel_link", kwargs={"token": cancel_token(appointment=appointment)}),
    }
    notify(
        event=EVENTS[kind],
        event_key=f"appointment:{appointment.pk}:{kind}:{appointment.starts_at:%Y%m%d%H%M}",
        recipients=[appointment.resident],
        payload=payload,
        new_key=kind == "booked",  # an appointment is booked once (held to booked, under its row lock)
    )
