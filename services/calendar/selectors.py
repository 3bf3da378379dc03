"""Reads of the working-day calendar: the State Council's schedule as the database holds it."""

from services.common.kept import kept_for_a_while

from .models import CalendarDay
from .working_days import WorkingCalendar


def _read_working_calendar() -> WorkingCalendar:
    days = CalendarDay.objects.values_list("date", "kind")
    return WorkingCalendar(
        days_off=frozenset(d for d, kind in days if kind == CalendarDay.Kind.DAY_OFF),
        working_weekend_days=frozenset(d for d, kind in days if kind == CalendarDay.Kind.WORKING_DAY),
    )


def working_calendar() -> WorkingCalendar:
    """Return the working calendar from the holiday days in the database (kept a while: services.common.kept)."""
    return kept_for_a_while("calendar", _read_working_calendar)


def calendar_years() -> list[int]:
    """Return the years whose holiday schedule is loaded (beyond them only weekends are skipped)."""
    return sorted({day.year for day in CalendarDay.objects.dates("date", "year")})
