"""Load the State Council's 2026 holiday schedule from services/calendar/data (its source is in the file)."""

from django.db import migrations

from services.calendar.schedules import schedule_load


def load(apps, schema_editor):
    schedule_load(apps.get_model("routing", "CalendarDay"), 2026)


def unload(apps, schema_editor):
    apps.get_model("routing", "CalendarDay").objects.filter(date__year=2026).delete()


class Migration(migrations.Migration):
    dependencies = [("routing", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
