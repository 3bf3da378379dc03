"""Appointment work done in the background or by staff for many at once: a location's counters changed (the
bookings that no longer fit moved or cancelled, with notice), bookings' confirmations, reminders, and holds run
out."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .actions import appointment_release, seats_generate
from .models import Appointment, AppointmentStatus, CancelReason, Location, Seat, free_seat_q
from .notifications import notify_appointment

logger = logging.getLogger(__name__)


def _free_seat_from(*, location: Location, starts_at: dt.datetime, counters: int, now) -> Seat | None:
    """Return the first free seat still open at ``starts_at`` or later the same day, locked."""
    day_end = timezone.make_aware(dt.datetime.combine(timezone.localdate(starts_at), dt.time.max))
    seats = Seat.objects.select_for_update(skip_locked=True).filter(
        free_seat_q(now), location=location, counter__lte=counters, starts_at__gte=starts_at, starts_at__lte=day_end
    )
    return seats.order_by("starts_at", "counter").first()


@transaction.atomic
def location_set_counters(*, location: Location, counters: int) -> dict:
    """Change how many residents a location sees at a time. With fewer, each future booking on a closed counter
    moves to a free counter at the same time (unnoticed) or later that day (with notice), else is cancelled (with
    notice); with more, the new counters' seats are made. Return how many bookings moved and were cancelled."""
    locked = Location.objects.select_for_update().get(pk=location.pk)
    now, moved, cancelled = timezone.now(), 0, 0
    locked.counters = counters
    locked.save(update_fields=["counters", "updated_at"])
    closed = Seat.objects.select_for_update().filter(location=locked, starts_at__gt=now, counter__gt=counters)
    for seat in closed.filter(appointment__status__in=[AppointmentStatus.BOOKED, AppointmentStatus.HELD]):
        appointment = seat.appointment
        target = _free_seat_from(location=locked, starts_at=seat.starts_at, counters=counters, now=now)
        Seat.objects.filter(pk=seat.pk).update(appointment=None, held_until=None)
        if target is None:
            appointment_release(appointment=appointment, status=AppointmentStatus.CANCELLED, reason=CancelReason.CLOSED)
            notify_appointment(appointment=appointment, kind="cancelled")
            cancelled += 1
            continue
        Seat.objects.filter(pk=target.pk).update(appointment=appointment, held_until=seat.held_until)
        if target.starts_at != appointment.starts_at:
            appointment.starts_at = target.starts_at
            appointment.save(update_fields=["starts_at", "updated_at"])
            notify_appointment(appointment=appointment, kind="moved")
            moved += 1
    closed.delete()
    seats_generate(location=locked)
    logger.info("counters changed", extra={"location": locked.code, "moved": moved, "cancelled": cancelled})
    return {"moved": moved, "cancelled": cancelled}


@transaction.atomic
def booking_confirmation_send(*, appointment_id: int) -> bool:
    """Write the confirmation message of a booking whose message is due (with its cancel link) and mark it written,
    in one transaction under the booking's row lock: each booking is told once, whoever comes first (the task its
    booking published, or the sweep). False when nothing was due (told already, or cancelled meanwhile)."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("location", "application__service", "resident__profile")
        .filter(pk=appointment_id, confirmation_due=True)
        .first()
    )
    if appointment is None:
        return False
    Appointment.objects.filter(pk=appointment.pk).update(confirmation_due=False)
    if appointment.status != AppointmentStatus.BOOKED:
        return False
    notify_appointment(appointment=appointment, kind="booked")
    return True


def bookings_confirm(*, now: dt.datetime | None = None) -> int:
    """Send the confirmations still due APPOINTMENT_CONFIRMATION_GRACE_SECONDS after their booking (the task it
    published was lost: the broker down, the process ended after the commit); return how many were sent."""
    now = now or timezone.now()
    since = now - dt.timedelta(seconds=settings.APPOINTMENT_CONFIRMATION_GRACE_SECONDS)
    due = Appointment.objects.filter(confirmation_due=True, updated_at__lt=since).order_by("updated_at")
    return sum(booking_confirmation_send(appointment_id=pk) for pk in due.values_list("pk", flat=True)[:500])


def appointments_remind(*, now: dt.datetime | None = None) -> int:
    """Remind each resident of a booking starting within APPOINTMENT_REMINDER_HOURS, once; return how many."""
    now = now or timezone.now()
    due = Appointment.objects.filter(
        status=AppointmentStatus.BOOKED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(hours=settings.APPOINTMENT_REMINDER_HOURS),
    )
    sent = 0
    for appointment in due.select_related("location", "application__service", "resident")[:500]:
        with transaction.atomic():  # the claim and the message commit together: two sweeps remind once
            if Appointment.objects.filter(pk=appointment.pk, reminded_at__isnull=True).update(reminded_at=now):
                notify_appointment(appointment=appointment, kind="reminder")
                sent += 1
    return sent


def holds_expire(*, now: dt.datetime | None = None) -> int:
    """Free the seats of holds not confirmed in time; return how many."""
    now = now or timezone.now()
    expired = 0
    for appointment in Appointment.objects.filter(status=AppointmentStatus.HELD, hold_expires_at__lt=now)[:500]:
        with transaction.atomic():
            held = Appointment.objects.select_for_update().filter(pk=appointment.pk, status=AppointmentStatus.HELD)
            if held.first() is not None:  # not confirmed meanwhile
                appointment_release(appointment=appointment, status=AppointmentStatus.EXPIRED)
                expired += 1
    return expired
