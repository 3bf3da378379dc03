"""Appointments: how long a chosen time is held, how far ahead residents book, when they are reminded."""

from .env import env

# A chosen time is held this long while the resident confirms it (then anyone may take it).
APPOINTMENT_HOLD_MINUTES = env.int("APPOINTMENT_HOLD_MINUTES", default=5)
# Residents book up to this many days ahead (beat makes the seats of each new day).
APPOINTMENT_DAYS_AHEAD = env.int("APPOINTMENT_DAYS_AHEAD", default=28)
# The reminder goes this many hours before the appointment.
APPOINTMENT_REMINDER_HOURS = env.int("APPOINTMENT_REMINDER_HOURS", default=24)
# A booking's confirmation is written by a task published on commit; the sweep writes those still due this long after.
APPOINTMENT_CONFIRMATION_GRACE_SECONDS = env.int("APPOINTMENT_CONFIRMATION_GRACE_SECONDS", default=120)
