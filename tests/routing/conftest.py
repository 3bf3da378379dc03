import pytest

from services.calendar.models import CalendarDay
from services.calendar.schedules import schedule_load


@pytest.fixture
def calendar_2026(db):
    """The State Council's 2026 schedule, loaded as the data migration loads it (transactional tests empty it)."""
    schedule_load(CalendarDay, 2026)
