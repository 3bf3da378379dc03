from celery import shared_task

from .actions import seats_generate
from .models import Location
from .sweeps import appointments_remind, booking_confirmation_send, bookings_confirm, holds_expire


@shared_task
def sweep_appointments() -> dict:
    """Free the seats of holds not confirmed in time, send the confirmations whose task was lost, and send the
    day-before reminders."""
    return {"expired": holds_expire(), "confirmed": bookings_confirm(), "reminded": appointments_remind()}


@shared_task
def confirm_booking(appointment_id: int) -> bool:
    """Tell the resident their appointment is booked (published by the booking once committed)."""
    return booking_confirmation_send(appointment_id=appointment_id)


@shared_task
def make_seats() -> int:
    """Make the seats of every location's open hours up to APPOINTMENT_DAYS_AHEAD days ahead."""
    return sum(seats_generate(location=location) for location in Location.objects.filter(is_active=True))
