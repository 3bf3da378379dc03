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


def test_submitting_writes_its_notifications_in_one_insert_and_reads_none_back(service):
    """The submission's notifications (inbox, email) are created in one INSERT and not selected again."""
    resident = ResidentProfileFactory(notify_by_email=True).user
    draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)
    application = application_get_for_resident(user=resident, public_id=draft.public_id)

    with CaptureQueriesContext(connection) as queries:
        application_submit(application=application, by=resident)

    notification_sql = [q["sql"] for q in queries if '"notifications_notification"' in q["sql"]]
    user_reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and ' FROM "accounts_user"' in q["sql"]]
    assert len(notification_sql) == 1 and notification_sql[0].startswith("INSERT")
    assert user_reads == []
    assert Notification.objects.filter(recipient=resident).count() == 2
