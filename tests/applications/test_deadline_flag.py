"""The deadline flag the queue shows beside a due date is the rule its filters select by (the overdue one is
ApplicationQuerySet.overdue's)."""

import datetime as dt

import pytest

from services.applications.models import Application, Status
from services.applications.selectors import application_deadline_flag, application_list_by_deadline_flag
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 10)


@pytest.mark.parametrize("status", Status.values)
def test_an_application_is_listed_under_the_flag_it_shows(service, status):
    """Due yesterday, today, at the edge of "due soon" and just past it: the flag read off the row and the filter
    run in the database agree, whatever the status."""
    applications = [
        ApplicationFactory(
            service=service, status=status, department=service.department, due_date=TODAY + dt.timedelta(days=days)
        )
        for days in (-1, 0, 3, 4)
    ]

    for flag in ("overdue", "soon", "paused"):
        listed = application_list_by_deadline_flag(applications=Application.objects.all(), flag=flag, today=TODAY)
        flagged = {a for a in applications if application_deadline_flag(application=a, today=TODAY) == flag}
        assert set(listed) == flagged, flag


def test_no_due_date_no_flag(service):
    application = ApplicationFactory(service=service, in_review=True, due_date=None)

    assert application_deadline_flag(application=application, today=TODAY) is None
