"""The State Council's holiday schedules, as published (services/calendar/data/cn-public-holidays-<year>.json, each
naming its source): pure data reading, used by the data migrations that load a year and by tests."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
DAY_OFF, WORKING_DAY = "day_off", "working_day"  # CalendarDay.Kind's values (a migration may not import models)


def schedule_days(year: int) -> tuple[list[tuple[str, str, str]], str]:
    """Return the year's changed days as (date, kind, name), and the schedule's source."""
    data = json.loads((DATA / f"cn-public-holidays-{year}.json").read_text(encoding="utf-8"))
    days = [(day["date"], DAY_OFF, day["holiday"]) for day in data["days_off"]]
    days += [(day["date"], WORKING_DAY, "调休上班 Adjusted working day") for day in data["adjusted_working_days"]]
    return days, data["source"]


def schedule_load(calendar_day_model, year: int) -> int:
    """Load the year's schedule into ``calendar_day_model`` (the model, or a migration's historical one); loading
    it again changes nothing. Return how many days it holds."""
    days, source = schedule_days(year)
    for date, kind, name in days:
        calendar_day_model.objects.update_or_create(date=date, defaults={"kind": kind, "name": name, "source": source})
    return len(days)
