"""The appointments' part of a resident's personal data."""

from django.utils import timezone

from services.accounts.privacy import register

from .actions import appointment_cancel
from .models import Appointment, AppointmentStatus


def export_appointments(user):
    """Return the resident's appointments, each with the reference of its application."""
    appointments = Appointment.objects.filter(resident=user).select_related("application", "location")
    return [
        {
            "application": appointment.application.reference,
            "location": appointment.location.code,
            "starts_at": appointment.starts_at.isoformat(),
            "status": appointment.status,
            "cancel_reason": appointment.cancel_reason,
        }
        for appointment in appointments
    ], []


def erase_appointments(user) -> None:
    """Cancel the resident's coming appointments (their seats go to others); the past ones stay with the
    applications the law keeps."""
    coming = Appointment.objects.filter(
        resident=user, starts_at__gt=timezone.now(), status__in=[AppointmentStatus.HELD, AppointmentStatus.BOOKED]
    )
    for appointment in coming:
        appointment_cancel(appointment=appointment)


register(app_label="appointments", section="appointments", export_for=export_appointments, erase_for=erase_appointments)
