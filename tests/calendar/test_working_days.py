"""Working-day arithmetic on the State Council's 2026 schedule: weekends, public holidays, adjusted working days."""

import datetime as dt
import json
from pathlib import Path

import pytest

from services.calendar.working_days import WorkingCalendar

DATA = Path(__file__).resolve().parents[2] / "services" / "calendar" / "data" / "cn-public-holidays-2026.json"
SCHEDULE = json.loads(DATA.read_text(encoding="utf-8"))
CALENDAR_2026 = WorkingCalendar(
    days_off=frozenset(dt.date.fromisoformat(day["date"]) for day in SCHEDULE["days_off"]),
    working_weekend_days=frozenset(dt.date.fromisoformat(day["date"]) for day in SCHEDULE["adjusted_working_days"]),
)
d = dt.date.fromisoformat


def test_the_data_file_cites_its_source_and_matches_the_published_schedule():
    """The committed schedule names the State Council notice and holds its 33 days off and 6 adjusted working days."""
    assert "国务院办公厅关于2026年部分节假日安排的通知" in SCHEDULE["source"]
    assert (len(SCHEDULE["days_off"]), len(SCHEDULE["adjusted_working_days"])) == (33, 6)
    for day in SCHEDULE["days_off"] + SCHEDULE["adjusted_working_days"]:
        assert d(day["date"]).strftime("%a") == day["weekday"]
    assert all(d(day["date"]).weekday() >= 5 for day in SCHEDULE["adjusted_working_days"])


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # an ordinary week: weekends skipped, the first day not counted
        ("2026-11-27", 1, "2026-11-30"),  # Fri + 1 → Mon
        ("2026-11-25", 5, "2026-12-02"),
        ("2026-11-28", 1, "2026-11-30"),  # from a Saturday
        # New Year: Jan 1–3 off, Sunday Jan 4 worked
        ("2025-12-31", 1, "2026-01-04"),
        ("2025-12-31", 2, "2026-01-05"),
        # Spring Festival: Feb 15–23 off, Saturdays Feb 14 and Feb 28 worked
        ("2026-02-13", 1, "2026-02-14"),  # Fri + 1 → the adjusted working Saturday
        ("2026-02-13", 2, "2026-02-24"),  # then nine days off
        ("2026-02-12", 5, "2026-02-26"),
        ("2026-02-13", 10, "2026-03-05"),  # counts Saturday Feb 28
        ("2026-02-16", 1, "2026-02-24"),  # submitted during the holiday
        ("2026-02-14", 1, "2026-02-24"),  # submitted on the adjusted working day
        # Labour Day: May 1–5 off, Saturday May 9 worked
        ("2026-04-30", 1, "2026-05-06"),
        ("2026-04-30", 4, "2026-05-09"),
        # Mid-Autumn (Sep 25–27 off) and National Day (Oct 1–7 off); Sunday Sep 20 and Saturday Oct 10 worked
        ("2026-09-18", 1, "2026-09-20"),
        ("2026-09-24", 1, "2026-09-28"),
        ("2026-09-30", 1, "2026-10-08"),
        ("2026-09-30", 3, "2026-10-10"),
        ("2026-09-30", 4, "2026-10-12"),
        ("2026-09-24", 20, "2026-10-29"),
        ("2026-09-18", 10, "2026-10-09"),
    ],
)
def test_add_working_days(start, days, due):
    assert CALENDAR_2026.add_working_days(d(start), days) == d(due)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        ("2026-11-23", "2026-11-23", 0),  # the same day: the clock did not stop for a whole day
        ("2026-11-23", "2026-11-24", 1),
        ("2026-11-27", "2026-11-30", 1),  # over a weekend
        ("2026-02-13", "2026-02-24", 2),  # Feb 14 (worked) and Feb 24
        ("2026-09-29", "2026-10-09", 3),  # Sep 30, Oct 8, Oct 9
        ("2026-10-09", "2026-09-29", 0),  # backwards
    ],
)
def test_working_days_between(start, end, count):
    assert CALENDAR_2026.working_days_between(d(start), d(end)) == count


def test_without_a_schedule_only_weekends_are_off():
    """Beyond the loaded years only weekends are skipped (the next year's schedule is added when published)."""
    plain = WorkingCalendar()
    assert plain.add_working_days(d("2026-10-01"), 1) == d("2026-10-02")
    assert not plain.is_working_day(d("2026-10-10"))
    assert CALENDAR_2026.is_working_day(d("2026-10-10"))
