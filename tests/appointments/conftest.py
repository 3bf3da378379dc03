import datetime as dt

import pytest
from django.utils import timezone

from services.appointments.actions import seats_generate
from services.appointments.models import Location, OpeningHours
from services.calendar.models import CalendarDay
from tests.factories import ApplicationFactory


def monday_ahead() -> dt.date:
    """A Monday over a week ahead (within APPOINTMENT_DAYS_AHEAD) whose week the holiday calendar leaves alone."""
    today = timezone.localdate()
    mondays = [today + dt.timedelta(days=7 - today.weekday() + 7 * n) for n in (1, 2, 0)]
    for monday in mondays:
        if not CalendarDay.objects.filter(date__gte=monday, date__lt=monday + dt.timedelta(days=7)).exists():
            return monday
    return mondays[0]


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def location(health, service):
    """A clinic open Monday to Friday 09:00–10:00, two counters, 30 minutes a visit, taking the service's bookings."""
    place = Location.objects.create(
        code="huamu",
        name_zh="花木社区卫生服务中心",
        name_en="Huamu Health Centre",
        address_zh="花木路 800 号",
        address_en="800 Huamu Road",
        district="pudong",
        department=health,
        counters=2,
        slot_minutes=30,
    )
    place.services.add(service)
    OpeningHours.objects.bulk_create(
        OpeningHours(location=place, weekday=day, opens=dt.time(9), closes=dt.time(10)) for day in range(5)
    )
    seats_generate(location=place)
    return place


@pytest.fixture
def application(service, resident):
    return ApplicationFactory(service=service, applicant=resident, submitted=True)
