from celery import shared_task

from .actions import seats_generate
from .models import Location
from .sweeps import appointments_remind, holds_expire


@shared_task
def sweep_appointments() -> dict:
    """Free the seats of holds not confirmed in time and send the day-before reminders."""
    return {"expired": holds_expire(), "reminded": appointments_remind()}


@shared_task
def make_seats() -> int:
    """Make the seats of every location's open hours up to APPOINTMENT_DAYS_AHEAD days ahead."""
    return sum(seats_generate(location=location) for location in Location.objects.filter(is_active=True))
