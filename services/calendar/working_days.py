"""Working-day arithmetic on China's official calendar: pure functions, no database.

A day is a working day when the State Council's schedule makes it one (调休, an adjusted working
Saturday or Sunday), or when it is a weekday that the schedule does not give off.
A period of N working days starts the day after its first day (the first day is not counted), as
periods are counted in Chinese law, so its last day is always a working day.
"""

import datetime as dt
from dataclasses import dataclass

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[dt.date] = frozenset()
    working_weekend_days: frozenset[dt.date] = frozenset()

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_weekend_days:
            return True
        return day.weekday() < 5 and day not in self.days_off

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """Return the ``days``-th working day after ``start`` (``start`` itself is not counted)."""
        day = start
        while days > 0:
            day += ONE_DAY
            days -= self.is_working_day(day)
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Count the working days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            count += self.is_working_day(day)
        return count
