import datetime as dt
from itertools import groupby

from django.core import signing
from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from services.accounts.permissions import StaffScope

from .models import Appointment, AppointmentStatus, Location, Seat, free_seat_q
from .notifications import CANCEL_SALT


def location_list_for_service(*, service) -> list[Location]:
    """Return the places taking appointments for the service, by district."""
    return list(service.appointment_locations.filter(is_active=True).order_by("district", "code"))


def free_times(*, location: Location, now: dt.datetime | None = None) -> list[tuple[dt.date, list[tuple]]]:
    """Return the location's days ahead, each with its times that have a free counter and how many are free."""
    now = now or timezone.now()
    rows = (
        Seat.objects.filter(free_seat_q(now), location=location, starts_at__gt=now)
        .values("starts_at")
        .annotate(free=Count("pk"))
        .order_by("starts_at")
    )
    times = [(timezone.localtime(row["starts_at"]), row["free"]) for row in rows]
    return [(day, list(group)) for day, group in groupby(times, key=lambda item: item[0].date())]


def appointment_get_for_resident(*, user, public_id) -> Appointment:
    """Return the resident's own appointment or raise Http404."""
    appointments = Appointment.objects.select_related("location", "application__service")
    return get_object_or_404(appointments, public_id=public_id, resident=user)


def appointment_from_cancel_token(*, token: str) -> Appointment:
    """Return the appointment a signed cancel link names, or raise Http404 (a forged or altered link)."""
    try:
        public_id = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        raise Http404 from None
    appointments = Appointment.objects.select_related("location", "application__service")
    return get_object_or_404(appointments, public_id=public_id)


def appointment_list_for_application(*, application) -> list[Appointment]:
    """Return the application's booked and past appointments, soonest first."""
    shown = [AppointmentStatus.BOOKED, AppointmentStatus.ATTENDED, AppointmentStatus.NO_SHOW]
    return list(application.appointments.filter(status__in=shown).select_related("location").order_by("starts_at"))


def appointment_list_for_staff(*, scope: StaffScope) -> QuerySet[Appointment]:
    """Return the appointments at the locations of the departments the staff scope reaches."""
    appointments = Appointment.objects.select_related("location", "application", "resident__profile")
    departments = scope.departments()
    if departments is None:
        return appointments
    return appointments.filter(location__department_id__in=list(departments))


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def appointment_ics(*, appointment: Appointment) -> str:
    """Return the appointment as an iCalendar file (RFC 5545) for the resident's calendar."""
    stamp = "%Y%m%dT%H%M%SZ"
    start = appointment.starts_at.astimezone(dt.UTC)
    location = appointment.location
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Shanghai One-Stop Citizen Services//Appointments//EN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{appointment.public_id}@portal",
        f"DTSTAMP:{timezone.now().astimezone(dt.UTC).strftime(stamp)}",
        f"DTSTART:{start.strftime(stamp)}",
        f"DTEND:{(start + location.slot_duration).strftime(stamp)}",
        f"SUMMARY:{_ics_text(f'{appointment.application.service.title} ({appointment.application.reference})')}",
        f"LOCATION:{_ics_text(f'{location.name}, {location.address}')}",
        "STATUS:CONFIRMED" if appointment.status == AppointmentStatus.BOOKED else "STATUS:CANCELLED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(lines) + "\r\n"
