"""The holiday calendar is the calendar app's now (its migration 0001 renamed the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("routing", "0002_holiday_calendar_2026"), ("calendar", "0001_initial")]

    operations = [migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="CalendarDay")])]
