"""Load the State Council's 2026 holiday schedule from services/routing/data (its source is in the file)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "cn-public-holidays-2026.json"


def load(apps, schema_editor):
    CalendarDay = apps.get_model("routing", "CalendarDay")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    days = [(day["date"], "day_off", day["holiday"]) for day in data["days_off"]]
    days += [(day["date"], "working_day", "调休上班 Adjusted working day") for day in data["adjusted_working_days"]]
    for date, kind, name in days:
        CalendarDay.objects.update_or_create(date=date, defaults={"kind": kind, "name": name, "source": data["source"]})


def unload(apps, schema_editor):
    CalendarDay = apps.get_model("routing", "CalendarDay")
    CalendarDay.objects.filter(date__year=2026).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
