"""The applications list reads only the columns it shows, and shows them as the application's own page does."""

import pytest

from services.applications.models import Status
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

SHARED = ("id", "reference", "service", "status", "status_label", "form_version", "answers", "submitted_at",
          "due_date", "decided_at", "decision_reason", "created_at")  # fmt: skip


@pytest.mark.parametrize(("language", "label"), [("en", "Submitted"), ("zh-hans", "已提交")])
def test_a_list_item_is_the_detail_without_form_and_timeline(resident_client, resident, service, language, label):
    """Each field of a list item equals the detail's, the status label in the reader's language."""
    application = ApplicationFactory(applicant=resident, service=service, status=Status.SUBMITTED)

    item = resident_client.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE=language).json()["results"][0]
    detail = resident_client.get(f"/api/v1/applications/{application.public_id}/", HTTP_ACCEPT_LANGUAGE=language)

    assert set(item) == set(SHARED)
    assert item == {name: detail.json()[name] for name in SHARED}
    assert item["status_label"] == label
