"""Submitting reads no row twice: the resident's own application carries them, the notification is one insert."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.applications.actions import application_create_draft, application_submit
from services.applications.selectors import application_get_for_resident
from services.notifications.models import Notification
from tests.factories import VALID_ANSWERS, ResidentProfileFactory

pytestmark = pytest.mark.django_db


def test_the_residents_application_carries_the_resident(service):
    """The application found for its resident holds that very user, so nothing reads the applicant again."""
    resident = ResidentProfileFactory().user
    draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)

    found = application_get_for_resident(user=resident, public_id=draft.public_id)

    assert found.applicant is resident


def test_submitting_leaves_its_notifications_to_the_routing_which_writes_them_in_one_insert_and_reads_none_back(
    service,
):
    """The submission writes no notification (its routing tells of it); the routing's batch creates the submission's
    and its own (inbox, email each) in one INSERT, selects none of them again and reads no user."""
    from services.routing.actions import applications_route_batch

    resident = ResidentProfileFactory(notify_by_email=True).user
    draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)
    application = application_get_for_resident(user=resident, public_id=draft.public_id)

    with CaptureQueriesContext(connection) as submitting:
        application_submit(application=application, by=resident)
    with CaptureQueriesContext(connection) as routing:
        applications_route_batch(limit=10)

    assert not [q["sql"] for q in submitting if '"notifications_notification"' in q["sql"]]
    notification_sql = [q["sql"] for q in routing if '"notifications_notification"' in q["sql"]]
    user_reads = [q["sql"] for q in routing if q["sql"].startswith("SELECT") and ' FROM "accounts_user"' in q["sql"]]
    assert len(notification_sql) == 1 and notification_sql[0].startswith("INSERT")
    assert user_reads == []
    assert Notification.objects.filter(recipient=resident).count() == 4
