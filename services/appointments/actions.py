"""Writes on appointments: the seats of a location's open hours, hold a seat while the resident confirms, book,
reschedule (atomically), cancel, mark attended or not, and change a location's counters.

A seat is one counter at one time; taking one is a conditional update of a row picked with ``SELECT … FOR UPDATE
SKIP LOCKED``, so two residents racing for the last seat never both get it (and on SQLite, which has no row
locks, the conditional update alone decides).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.permissions import StaffScope
from services.applications.models import OPEN_STATUSES, Application
from services.calendar.selectors import working_calendar
from services.catalogue.models import Department, Service
from services.common.errors import InvalidTransition, NotAllowed, ValidationFailed
from services.common.statements import Statement
from services.common.tasks import publish_on_commit

from .errors import SlotFull
from .models import Appointment, AppointmentStatus, CancelReason, Location, OpeningHours, Seat, free_seat_q

logger = logging.getLogger(__name__)
ACTIVE = (AppointmentStatus.HELD, AppointmentStatus.BOOKED)

# A hold's statements, built once per process (services/common/statements.py): 50 residents racing for a time's
# last seats each run them, and building them was most of each one's CPU.
_OFFERS_SERVICE = Statement(
    Location.services.through,
    lambda location_id, service_id: Location.services.through.objects.filter(
        location_id=location_id, service_id=service_id
    ).values_list("pk")[:1],
)
_ACTIVE_OF_APPLICATION = Statement(
    Appointment,
    lambda application_id, held, booked: Appointment.objects.filter(
        application_id=application_id, status__in=(held, booked)
    ).values_list("pk", "status"),
)
_FREE_SEAT_LOCKED = Statement(  # a seat another transaction is taking is skipped: "full" at once, not after it commits
    Seat,
    lambda location_id, starts_at, after, now: (
        Seat.objects.select_for_update(skip_locked=True)
        .filter(free_seat_q(now), location_id=location_id, starts_at=starts_at, counter__gt=after)
        .order_by("counter")
        .values_list("pk", "counter", "appointment_id")[:1]
    ),
)
_SEAT_TAKE = Statement(
    Seat,
    lambda pk, now, appointment_id, until: (
        Seat.objects.filter(free_seat_q(now), pk=pk),
        {"appointment_id": appointment_id, "held_until": until},
    ),
)


def seats_generate(*, location: Location, today: dt.date | None = None) -> int:
    """Create the missing seats of the location's open hours for the next APPOINTMENT_DAYS_AHEAD days: none on a
    public holiday, Monday's hours on a weekend made a working day; return how many were created."""
    today, calendar = today or timezone.localdate(), working_calendar()
    hours: dict[int, list] = {}
    for period in location.hours.all():
        hours.setdefault(period.weekday, []).append(period)
    rows = []
    for offset in range(settings.APPOINTMENT_DAYS_AHEAD):
        day = today + dt.timedelta(days=offset)
        if day in calendar.days_off or not location.is_active:
            continue
        periods = hours.get(day.weekday()) or (hours.get(0, []) if day in calendar.working_weekend_days else [])
        for period in periods:
            start = timezone.make_aware(dt.datetime.combine(day, period.opens))
            end = timezone.make_aware(dt.datetime.combine(day, period.closes))
            while start + location.slot_duration <= end:
                rows += [Seat(location=location, starts_at=start, counter=n) for n in range(1, location.counters + 1)]
                start += location.slot_duration
    before = location.seats.count()
    Seat.objects.bulk_create(rows, ignore_conflicts=True)  # the seats already made stay as they are
    return location.seats.count() - before


def _check_bookable(*, application: Application, by, location: Location, starts_at: dt.datetime) -> None:
    if by is None or application.applicant_id != by.pk:
        raise NotAllowed(_("Only the applicant books an appointment for an application."))
    if application.status not in OPEN_STATUSES:
        raise InvalidTransition(_("Appointments are booked for a submitted application that is still open."))
    if application.awaits_payment:
        raise InvalidTransition(_("Pay the application's fee first; then book the appointment."))
    if not location.is_active or not _OFFERS_SERVICE.rows(location.pk, application.service_id):
        raise ValidationFailed(_("This place does not take appointments for this service."), errors={"location": []})
    if starts_at <= timezone.now():
        raise ValidationFailed(_("Choose a time that has not passed."), errors={"slot": [_("In the past.")]})
    if timezone.localdate(starts_at) in working_calendar().days_off:
        message = _("The service centre is closed on public holidays. Choose another day.")
        raise ValidationFailed(message, errors={"slot": [message]})


def _seat_free(*, location: Location, starts_at: dt.datetime, now: dt.datetime, after: int = 0) -> tuple | None:
    """Return a free seat of the location at that time past counter ``after``, locked, as (id, counter, its ran-out
    hold's id or None); a seat another transaction is taking is skipped, so a resident told "full" is told at once
    instead of waiting for the others' commits."""
    found = _FREE_SEAT_LOCKED.rows(location.pk, starts_at, after, now)
    return found[0] if found else None


def _take_seat(*, seat: tuple, appointment: Appointment, now: dt.datetime) -> bool:
    """Give the appointment ``seat`` (locked), or the next free one of its time if it was taken meanwhile; False
    when there is none.

    One seat is locked at a time: a transaction that locked several would keep the others from them until it
    commits, and residents would be told "full" while seats stay free. The conditional update decides where there
    are no row locks (SQLite), and a lost one tries the next counter.
    """
    while seat is not None:
        pk, counter, holder = seat
        if holder:  # a hold that ran out: its seat goes to this one
            Appointment.objects.filter(pk=holder, status=AppointmentStatus.HELD).update(
                status=AppointmentStatus.EXPIRED
            )
        if _SEAT_TAKE.write(pk, now, appointment.pk, appointment.hold_expires_at):
            return True
        seat = _seat_free(location=appointment.location, starts_at=appointment.starts_at, now=now, after=counter)
    return False


def appointment_hold(
    *, application: Application, by, location: Location, starts_at: dt.datetime, replaces: Appointment | None = None
) -> Appointment:
    """Hold a seat at ``starts_at`` for APPOINTMENT_HOLD_MINUTES while the resident confirms; ``replaces``: their
    booking it is to replace (a reschedule), which stays booked until the new time is confirmed.
    Raises SlotFull when every counter is taken at that time (then nothing changed)."""
    _check_bookable(application=application, by=by, location=location, starts_at=starts_at)
    active = _ACTIVE_OF_APPLICATION.rows(application.pk, AppointmentStatus.HELD.value, AppointmentStatus.BOOKED.value)
    booked = {pk for pk, status in active if status == AppointmentStatus.BOOKED}  # and holds they changed their mind on
    if replaces is not None and replaces.pk not in booked:
        raise InvalidTransition(_("Only a booked appointment can be moved."))
    if replaces is None and booked:
        raise InvalidTransition(_("This application already has an appointment: change its time instead."))
    now = timezone.now()
    with transaction.atomic():
        held = [pk for pk, status in active if status == AppointmentStatus.HELD]
        for earlier in Appointment.objects.filter(pk__in=held) if held else ():
            appointment_release(appointment=earlier, status=AppointmentStatus.EXPIRED)
        seat = _seat_free(location=location, starts_at=starts_at, now=now)
        if seat is None:
            raise SlotFull()  # before anything is written: rolls back the holds released above
        appointment = Appointment.objects.create(
            application=application,
            resident=by,
            location=location,
            starts_at=starts_at,
            hold_expires_at=now + dt.timedelta(minutes=settings.APPOINTMENT_HOLD_MINUTES),
            replaces=replaces,
        )
        if not _take_seat(seat=seat, appointment=appointment, now=now):
            raise SlotFull()  # rolls the hold back
    return appointment


def appointment_release(*, appointment: Appointment, status: AppointmentStatus, reason: str = "") -> None:
    """End a hold or booking (expired, cancelled) and free its seat; the caller holds the appointment's row."""
    Seat.objects.filter(appointment=appointment).update(appointment=None, held_until=None)
    appointment.status, appointment.cancel_reason = status, reason
    appointment.save(update_fields=["status", "cancel_reason", "updated_at"])


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, by) -> Appointment:
    """Book the held time; for a reschedule, cancel the booking it replaces in the same transaction, so the
    resident has exactly one of the two whatever happens. The confirmation goes once the booking is committed
    (``booking_confirmation_send``)."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if by is None or by.pk != locked.resident_id:
        raise NotAllowed(_("Only the resident confirms their appointment."))
    if locked.status != AppointmentStatus.HELD:
        raise InvalidTransition(_("This time is no longer held for you: choose a time again."))
    if not Seat.objects.filter(appointment=locked).update(held_until=None):  # the seat's row locked till commit
        # The hold ran out and someone else took the seat.
        appointment_release(appointment=locked, status=AppointmentStatus.EXPIRED)
        raise InvalidTransition(_("This time is no longer held for you: choose a time again."))
    locked.status, locked.hold_expires_at, locked.confirmation_due = AppointmentStatus.BOOKED, None, True
    locked.save(update_fields=["status", "hold_expires_at", "confirmation_due", "updated_at"])
    if locked.replaces_id:
        old = Appointment.objects.select_for_update().get(pk=locked.replaces_id)
        if old.status == AppointmentStatus.BOOKED:
            appointment_release(appointment=old, status=AppointmentStatus.CANCELLED, reason=CancelReason.MOVED)
    # The message is written after commit, off the seat's lock; the sweep writes it if this one is lost.
    publish_on_commit("services.appointments.tasks.confirm_booking", (locked.pk,), reference=str(locked.public_id))
    return locked


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by=None) -> Appointment:
    """Cancel a booking: by its resident, or by whoever holds its signed cancel link (``by`` None)."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if by is not None and by.pk != locked.resident_id:
        raise NotAllowed(_("Only the resident cancels their appointment."))
    if locked.status not in ACTIVE:
        raise InvalidTransition(_("This appointment is no longer booked."))
    appointment_release(appointment=locked, status=AppointmentStatus.CANCELLED, reason=CancelReason.RESIDENT)
    return locked


def appointment_mark(*, appointment: Appointment, by, attended: bool, scope: StaffScope) -> Appointment:
    """Record that the resident came (or did not), from the day of the appointment on (staff of the location)."""
    if not scope.works_in(appointment.location.department_id):
        raise NotAllowed(_("Only staff of the location's department mark appointments."))
    if timezone.localdate(appointment.starts_at) > timezone.localdate():
        raise InvalidTransition(_("An appointment is marked on its day, not before."))
    marked = Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.ATTENDED if attended else AppointmentStatus.NO_SHOW,
        marked_by=by,
        updated_at=timezone.now(),
    )
    if not marked:
        raise InvalidTransition(_("Only a booked appointment can be marked."))
    appointment.refresh_from_db()
    return appointment


@transaction.atomic
def locations_demo_load(*, locations: list[dict]) -> int:
    """Create or update the demo's places, their services and opening hours, and make their seats; return how many
    seats were new."""
    seats = 0
    for spec in locations:
        spec = dict(spec)
        services, hours = spec.pop("services"), spec.pop("hours")
        department = Department.objects.get(code=spec.pop("department"))
        location, _created = Location.objects.update_or_create(
            code=spec.pop("code"), defaults={**spec, "department": department}
        )
        location.services.set(Service.objects.filter(slug__in=services))
        location.hours.all().delete()
        OpeningHours.objects.bulk_create(
            OpeningHours(location=location, weekday=day, opens=opens, closes=closes) for day, opens, closes in hours
        )
        seats += seats_generate(location=location)
    return seats
