"""The legal time limit of an application: its due date in working days, and the clock that stops while the
resident is asked for information."""

import datetime as dt

from django.utils import timezone

from services.calendar.selectors import working_calendar
from services.calendar.working_days import WorkingCalendar

from .models import Application, Status


def application_due_date(*, application: Application, calendar: WorkingCalendar, paused_days: int = 0) -> dt.date:
    """Return the legal due date: the service's working days from the day of submission (not counted), or of the
    fee's payment when it was paid later, pushed by the working days the clock has stood still and ``paused_days``
    more."""
    return calendar.add_working_days(
        timezone.localdate(application.fee_paid_at or application.submitted_at),
        application.service.processing_days + application.paused_working_days + paused_days,
    )


def deadline_clock_changes(*, application: Application, to: Status) -> dict:
    """Return the fields a move changes on the legal clock: it stops while the resident is asked for
    information and, on the answer (or a withdrawal), the working days it stood still push the due date."""
    now = timezone.now()
    if to == Status.AWAITING_INFORMATION:
        return {"clock_paused_at": now}
    if application.clock_paused_at is None:
        return {}
    calendar = working_calendar()
    paused = calendar.working_days_between(timezone.localdate(application.clock_paused_at), timezone.localdate(now))
    return {
        "clock_paused_at": None,
        "paused_working_days": application.paused_working_days + paused,
        "due_date": application_due_date(application=application, calendar=calendar, paused_days=paused),
        "overdue_notified_at": None,  # a new due date deserves its own notice
    }
