"""Booking a time: seats from the opening hours and the holiday calendar, the hold while confirming, the full slot,
the atomic reschedule, cancelling (also by the signed link), the .ics file, reminders, attendance, and closing a
counter."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from services.accounts.permissions import staff_scope_for
from services.appointments import actions
from services.appointments.actions import (
    appointment_cancel,
    appointment_confirm,
    appointment_hold,
    appointment_mark,
    seats_generate,
)
from services.appointments.errors import SlotFull
from services.appointments.models import Appointment, AppointmentStatus, CancelReason, Seat
from services.appointments.notifications import cancel_token
from services.appointments.sweeps import (
    appointments_remind,
    booking_confirmation_send,
    bookings_confirm,
    location_set_counters,
)
from services.calendar.models import CalendarDay
from services.calendar.selectors import working_calendar
from services.common.errors import InvalidTransition, NotAllowed, ValidationFailed
from services.notifications.models import Notification
from tests.factories import ApplicationFactory, UserFactory

from .conftest import at, monday_ahead

pytestmark = pytest.mark.django_db


def book(application, location, starts_at, replaces=None):
    held = appointment_hold(
        application=application, by=application.applicant, location=location, starts_at=starts_at, replaces=replaces
    )
    return appointment_confirm(appointment=held, by=application.applicant)


def other_application(service):
    return ApplicationFactory(service=service, submitted=True)


def test_seats_follow_the_opening_hours_the_counters_and_the_holidays(location):
    """Two counters at 09:00 and 09:30 on each working day; none on a public holiday; Monday's hours on a weekend
    made a working day; making them again adds none."""
    monday = monday_ahead()
    holiday, worked_sunday = monday + dt.timedelta(days=2), monday + dt.timedelta(days=6)
    CalendarDay.objects.create(date=holiday, kind=CalendarDay.Kind.DAY_OFF)
    CalendarDay.objects.create(date=worked_sunday, kind=CalendarDay.Kind.WORKING_DAY)
    Seat.objects.all().delete()

    seats_generate(location=location)

    def seats_on(day):
        return Seat.objects.filter(starts_at__gte=at(day, 0), starts_at__lt=at(day + dt.timedelta(days=1), 0))

    assert sorted((timezone.localtime(s.starts_at).strftime("%H:%M"), s.counter) for s in seats_on(monday)) == [
        ("09:00", 1), ("09:00", 2), ("09:30", 1), ("09:30", 2)
    ]  # fmt: skip
    assert not seats_on(holiday).exists()
    assert seats_on(worked_sunday).count() == 4
    assert not seats_on(monday + dt.timedelta(days=5)).exists()  # an ordinary Saturday
    assert seats_generate(location=location) == 0


def test_hold_then_confirm_books_and_tells_the_resident(location, application, django_capture_on_commit_callbacks):
    starts_at = at(monday_ahead(), 9)

    held = appointment_hold(application=application, by=application.applicant, location=location, starts_at=starts_at)
    assert held.status == AppointmentStatus.HELD and held.seat.held_until is not None
    with django_capture_on_commit_callbacks(execute=True):  # the confirmation's task, published on commit
        booked = appointment_confirm(appointment=held, by=application.applicant)

    message = Notification.objects.get(recipient=application.applicant, event="appointment_booked", channel="in_app")
    assert booked.status == AppointmentStatus.BOOKED
    assert Seat.objects.get(appointment=booked).held_until is None
    assert "/appointments/cancel/" in message.payload["cancel_link"]
    assert not Appointment.objects.get(pk=booked.pk).confirmation_due


def test_a_confirmation_whose_task_was_lost_is_sent_by_the_sweep_once(location, application):
    """The booking commits but its task never runs (the broker down, the process ended after the commit): the
    resident is not told yet; the sweep, after its grace, tells them once; its next run and the task arriving late
    tell nothing more."""
    booked = book(application, location, at(monday_ahead(), 9))  # its on-commit publish never runs here
    assert not Notification.objects.filter(event="appointment_booked").exists()
    later = timezone.now() + dt.timedelta(seconds=settings.APPOINTMENT_CONFIRMATION_GRACE_SECONDS + 1)

    within_grace = bookings_confirm(now=timezone.now())
    swept, again = bookings_confirm(now=later), bookings_confirm(now=later)
    late_task = booking_confirmation_send(appointment_id=booked.pk)

    assert (within_grace, swept, again, late_task) == (0, 1, 0, False)
    assert Notification.objects.filter(event="appointment_booked", channel="in_app").count() == 1


def test_a_booking_cancelled_before_its_confirmation_went_is_not_told_it_is_booked(location, application):
    booked = book(application, location, at(monday_ahead(), 9))
    appointment_cancel(appointment=booked, by=application.applicant)

    swept = bookings_confirm(now=timezone.now() + dt.timedelta(hours=1))

    assert swept == 0 and not Appointment.objects.filter(confirmation_due=True).exists()
    assert not Notification.objects.filter(event="appointment_booked").exists()


def test_the_last_seat_goes_to_one_resident(location, application, service):
    starts_at = at(monday_ahead(), 9)
    book(other_application(service), location, starts_at)
    book(other_application(service), location, starts_at)

    with pytest.raises(SlotFull):
        appointment_hold(application=application, by=application.applicant, location=location, starts_at=starts_at)

    assert not Appointment.objects.filter(application=application).exists()


def test_holding_and_confirming_cost_a_fixed_number_of_queries(
    location, application, calendar_kept, django_assert_num_queries
):
    """Hold: the place offers the service, the application's appointments, then (a savepoint, inside the test's
    transaction) a free seat locked, the hold, the seat taken. Confirm (a savepoint): the hold locked, the seat, the
    booking; its message is written after commit, holding no seat's lock."""
    starts_at = at(monday_ahead(), 9)
    working_calendar()  # read once, then kept

    with django_assert_num_queries(7):
        held = appointment_hold(
            application=application, by=application.applicant, location=location, starts_at=starts_at
        )
    with django_assert_num_queries(5):
        appointment_confirm(appointment=held, by=application.applicant)
    if connection.vendor == "postgresql":  # the hold's statements are built once per process and kept
        statements = (
            actions._OFFERS_SERVICE,
            actions._ACTIVE_OF_APPLICATION,
            actions._FREE_SEAT_LOCKED,
            actions._SEAT_TAKE,
        )
        assert all(statement._kept for statement in statements)


def test_a_resident_told_full_is_told_before_anything_is_written_and_keeps_their_hold(
    location, application, service, calendar_kept, django_assert_num_queries
):
    """Every counter taken: the seat lookup finds none and nothing is written (no hold made and rolled back); the
    hold the resident had at another time, released for the new one, is theirs again."""
    monday = monday_ahead()
    earlier = appointment_hold(
        application=application, by=application.applicant, location=location, starts_at=at(monday, 9)
    )
    full = at(monday, 9, 30)
    book(other_application(service), location, full)
    book(other_application(service), location, full)

    # the place, the appointments (ids and statuses), SAVEPOINT, the earlier hold read and released (its seat,
    # itself), no seat, ROLLBACK TO and RELEASE SAVEPOINT
    with django_assert_num_queries(9), pytest.raises(SlotFull):
        appointment_hold(application=application, by=application.applicant, location=location, starts_at=full)

    earlier.refresh_from_db()
    assert earlier.status == AppointmentStatus.HELD and Seat.objects.filter(appointment=earlier).exists()
    assert Appointment.objects.filter(application=application).count() == 1


def test_a_hold_not_confirmed_in_time_frees_its_seat(location, application, service):
    starts_at = at(monday_ahead(), 9)
    Seat.objects.filter(starts_at=starts_at, counter=2).delete()  # one counter left at that time
    late = appointment_hold(application=application, by=application.applicant, location=location, starts_at=starts_at)
    Seat.objects.filter(appointment=late).update(held_until=timezone.now() - dt.timedelta(seconds=1))

    quicker = book(other_application(service), location, starts_at)

    assert quicker.status == AppointmentStatus.BOOKED
    with pytest.raises(InvalidTransition):
        appointment_confirm(appointment=late, by=application.applicant)
    assert Appointment.objects.get(pk=late.pk).status == AppointmentStatus.EXPIRED


def test_a_slot_on_a_public_holiday_is_refused(location, application):
    holiday = monday_ahead() + dt.timedelta(days=1)
    CalendarDay.objects.create(date=holiday, kind=CalendarDay.Kind.DAY_OFF, name="国庆节")

    with pytest.raises(ValidationFailed) as error:
        appointment_hold(application=application, by=application.applicant, location=location, starts_at=at(holiday, 9))

    assert "slot" in error.value.errors


def test_only_the_applicant_books_an_open_application_for_an_offered_service(location, application, health):
    starts_at = at(monday_ahead(), 9)
    with pytest.raises(NotAllowed):
        appointment_hold(application=application, by=UserFactory(), location=location, starts_at=starts_at)
    draft = ApplicationFactory(service=application.service)
    with pytest.raises(InvalidTransition):
        appointment_hold(application=draft, by=draft.applicant, location=location, starts_at=starts_at)
    with pytest.raises(ValidationFailed):
        appointment_hold(application=application, by=application.applicant, location=location, starts_at=timezone.now())


def test_a_reschedule_to_a_full_slot_keeps_the_old_booking(location, application, service):
    monday = monday_ahead()
    old = book(application, location, at(monday, 9))
    full = at(monday, 9, 30)
    book(other_application(service), location, full)
    book(other_application(service), location, full)

    with pytest.raises(SlotFull):
        appointment_hold(
            application=application, by=application.applicant, location=location, starts_at=full, replaces=old
        )

    old.refresh_from_db()
    assert old.status == AppointmentStatus.BOOKED and Seat.objects.filter(appointment=old).exists()


def test_a_reschedule_swaps_the_bookings_when_confirmed(location, application):
    monday = monday_ahead()
    old = book(application, location, at(monday, 9))

    held = appointment_hold(
        application=application, by=application.applicant, location=location, starts_at=at(monday, 9, 30), replaces=old
    )
    old.refresh_from_db()
    assert old.status == AppointmentStatus.BOOKED  # kept until the new time is confirmed
    new = appointment_confirm(appointment=held, by=application.applicant)

    old.refresh_from_db()
    assert (old.status, old.cancel_reason) == (AppointmentStatus.CANCELLED, CancelReason.MOVED)
    assert not Seat.objects.filter(appointment=old).exists()
    assert new.status == AppointmentStatus.BOOKED
    assert Appointment.objects.filter(application=application, status=AppointmentStatus.BOOKED).count() == 1


def test_the_signed_link_cancels_without_signing_in(location, application, client):
    booked = book(application, location, at(monday_ahead(), 9))
    url = reverse("appointments:cancel_link", kwargs={"token": cancel_token(appointment=booked)})

    page = client.get(url)
    client.post(url)

    booked.refresh_from_db()
    assert page.status_code == 200
    assert (booked.status, booked.cancel_reason) == (AppointmentStatus.CANCELLED, CancelReason.RESIDENT)
    assert not Seat.objects.filter(appointment=booked).exists()
    assert client.get(url[:-3] + "xx/").status_code == 404  # an altered link names nothing


def test_only_the_resident_cancels(location, application):
    booked = book(application, location, at(monday_ahead(), 9))
    with pytest.raises(NotAllowed):
        appointment_cancel(appointment=booked, by=UserFactory())


def test_the_ics_file(location, application, client):
    booked = book(application, location, at(monday_ahead(), 9))
    client.force_login(application.applicant)

    response = client.get(reverse("appointments:ics", kwargs={"public_id": booked.public_id}))

    text = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in text and f"DTSTART:{monday_ahead():%Y%m%d}T010000Z" in text  # 09:00 in Shanghai
    assert "DTEND:" in text and "\r\n" in text


def test_a_reminder_goes_once_the_day_before(location, application):
    booked = book(application, location, at(monday_ahead(), 9))

    early = appointments_remind(now=booked.starts_at - dt.timedelta(hours=30))
    due = appointments_remind(now=booked.starts_at - dt.timedelta(hours=20))
    again = appointments_remind(now=booked.starts_at - dt.timedelta(hours=19))

    assert (early, due, again) == (0, 1, 0)
    assert Notification.objects.filter(event="appointment_reminder", channel="in_app").count() == 1


def test_staff_mark_attendance_on_the_day(location, application, health_caseworker, education_caseworker):
    booked = book(application, location, at(monday_ahead(), 9))
    with pytest.raises(InvalidTransition):  # not before its day
        appointment_mark(
            appointment=booked, by=health_caseworker, attended=True, scope=staff_scope_for(user=health_caseworker)
        )
    Appointment.objects.filter(pk=booked.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    booked.refresh_from_db()
    with pytest.raises(NotAllowed):
        appointment_mark(
            appointment=booked, by=education_caseworker, attended=True, scope=staff_scope_for(user=education_caseworker)
        )

    marked = appointment_mark(
        appointment=booked, by=health_caseworker, attended=False, scope=staff_scope_for(user=health_caseworker)
    )

    assert (marked.status, marked.marked_by) == (AppointmentStatus.NO_SHOW, health_caseworker)


def test_closing_a_counter_moves_a_booking_to_a_free_counter_at_the_same_time_unnoticed(location, application, service):
    monday = monday_ahead()
    gone = book(other_application(service), location, at(monday, 9))  # counter 1
    kept = book(application, location, at(monday, 9))  # counter 2
    appointment_cancel(appointment=gone, by=gone.resident)  # counter 1 free again

    result = location_set_counters(location=location, counters=1)

    kept.refresh_from_db()
    assert result == {"moved": 0, "cancelled": 0}
    assert (kept.status, kept.starts_at, Seat.objects.get(appointment=kept).counter) == (
        AppointmentStatus.BOOKED, at(monday, 9), 1
    )  # fmt: skip
    assert not Notification.objects.filter(event="appointment_changed").exists()


def test_closing_a_counter_moves_a_booking_later_that_day_with_notice(location, application, service):
    monday = monday_ahead()
    book(other_application(service), location, at(monday, 9))  # counter 1
    moved = book(application, location, at(monday, 9))  # counter 2

    result = location_set_counters(location=location, counters=1)

    moved.refresh_from_db()
    assert result == {"moved": 1, "cancelled": 0}
    assert (moved.status, moved.starts_at) == (AppointmentStatus.BOOKED, at(monday, 9, 30))
    notice = Notification.objects.get(recipient=application.applicant, event="appointment_changed", channel="in_app")
    assert notice.payload["kind"] == "moved"
    # the closed counter's coming seats (today's past ones, made by the fixture from today on, stay as they were)
    assert not Seat.objects.filter(location=location, counter=2, starts_at__gt=timezone.now()).exists()


def test_closing_a_counter_cancels_a_booking_with_no_time_left_that_day(location, application, service):
    """09:30 is the day's last time: its counter-2 booking has nowhere to go (an earlier time is no offer)."""
    monday = monday_ahead()
    book(other_application(service), location, at(monday, 9, 30))  # counter 1
    cancelled = book(application, location, at(monday, 9, 30))  # counter 2

    result = location_set_counters(location=location, counters=1)

    cancelled.refresh_from_db()
    assert result == {"moved": 0, "cancelled": 1}
    assert (cancelled.status, cancelled.cancel_reason) == (AppointmentStatus.CANCELLED, CancelReason.CLOSED)
    assert not Seat.objects.filter(appointment=cancelled).exists()
    notice = Notification.objects.get(recipient=application.applicant, event="appointment_changed", channel="in_app")
    assert notice.payload["kind"] == "cancelled"
