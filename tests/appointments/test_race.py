"""Two residents take the last place at once, on PostgreSQL: exactly one gets it, 100 rounds over."""

import datetime as dt
import threading

import pytest
from django.db import connection

from services.appointments.actions import appointment_confirm, appointment_hold
from services.appointments.errors import SlotFull
from services.appointments.models import Appointment, AppointmentStatus, Seat
from tests.conftest import unavailable
from tests.factories import ApplicationFactory

from .conftest import at, monday_ahead

ROUNDS = 100


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_two_residents_racing_for_the_last_place_never_both_get_it(location, service):
    if connection.vendor != "postgresql":
        unavailable("a real race for a seat needs PostgreSQL row locks: set DATABASE_URL=postgres://...")
    Seat.objects.filter(location=location).delete()
    times = [at(monday_ahead(), 9) + dt.timedelta(minutes=5 * number) for number in range(ROUNDS)]
    Seat.objects.bulk_create(
        Seat(location=location, starts_at=starts_at, counter=1) for starts_at in times
    )  # one place
    pairs = [(ApplicationFactory(service=service, submitted=True), ApplicationFactory(service=service, submitted=True))
             for _ in range(ROUNDS)]  # fmt: skip
    start, done = threading.Barrier(3), threading.Barrier(3)
    outcomes: list[list[str]] = [[] for _ in range(ROUNDS)]
    lock = threading.Lock()

    def resident(side: int):
        try:
            for number, starts_at in enumerate(times):
                application = pairs[number][side]
                start.wait()
                try:
                    held = appointment_hold(
                        application=application, by=application.applicant, location=location, starts_at=starts_at
                    )
                    appointment_confirm(appointment=held, by=application.applicant)
                    outcome = "won"
                except SlotFull:
                    outcome = "full"
                with lock:
                    outcomes[number].append(outcome)
                done.wait()
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=resident, args=(side,)) for side in (0, 1)]
    for thread in threads:
        thread.start()
    for _ in times:
        start.wait(timeout=30)
        done.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=30)

    assert all(sorted(results) == ["full", "won"] for results in outcomes), outcomes
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED)
    assert booked.count() == ROUNDS
    assert booked.values("starts_at").distinct().count() == ROUNDS


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_thirty_residents_racing_for_ten_places_fill_all_ten(location, service):
    """Every free place is given while residents are told "full": a resident taking one locks only that one."""
    if connection.vendor != "postgresql":
        unavailable("a real race for seats needs PostgreSQL row locks: set DATABASE_URL=postgres://...")
    Seat.objects.filter(location=location).delete()
    starts_at = at(monday_ahead(), 9)
    Seat.objects.bulk_create(Seat(location=location, starts_at=starts_at, counter=n) for n in range(1, 11))
    applications = [ApplicationFactory(service=service, submitted=True) for _ in range(30)]
    start, outcomes, lock = threading.Barrier(30), [], threading.Lock()

    def resident(application):
        try:
            start.wait()
            try:
                held = appointment_hold(
                    application=application, by=application.applicant, location=location, starts_at=starts_at
                )
                appointment_confirm(appointment=held, by=application.applicant)
                outcome = "won"
            except SlotFull:
                outcome = "full"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=resident, args=(application,)) for application in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["full"] * 20 + ["won"] * 10
    assert Appointment.objects.filter(starts_at=starts_at, status=AppointmentStatus.BOOKED).count() == 10
