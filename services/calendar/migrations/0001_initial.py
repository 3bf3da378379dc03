"""The holiday calendar moves from the routing app to its own: the table is renamed, its rows (the 2026 schedule
loaded by routing's migration 0002) stay."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("routing", "0002_holiday_calendar_2026")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE routing_calendarday RENAME TO calendar_calendarday",
                    "ALTER TABLE calendar_calendarday RENAME TO routing_calendarday",
                )
            ],
            state_operations=[
                migrations.CreateModel(
                    name="CalendarDay",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("date", models.DateField(unique=True, verbose_name="date")),
                        ("kind", models.CharField(choices=[("day_off", "Public holiday (day off)"), ("working_day", "Adjusted working day")], max_length=12, verbose_name="kind")),
                        ("name", models.CharField(blank=True, max_length=100, verbose_name="name")),
                        ("source", models.CharField(blank=True, max_length=300, verbose_name="source")),
                    ],
                    options={"verbose_name": "calendar day", "verbose_name_plural": "holiday calendar", "ordering": ["date"]},
                )
            ],
        )
    ]
