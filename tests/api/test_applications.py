"""The resident's applications through the API: create a draft, submit it, follow it; only ever one's own."""

import re

import pytest
from django.utils import timezone

from services.applications.models import Application, Status
from tests.factories import VALID_ANSWERS, ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/applications/"


def detail_url(application) -> str:
    return f"/api/v1/applications/{application.public_id}/"


def submit_url(application) -> str:
    return f"/api/v1/applications/{application.public_id}/submit/"


def test_create_makes_a_mobile_draft_with_a_reference(resident_client, resident, service):
    """POST creates a draft from the mobile channel, with a department-prefixed reference; 201."""
    response = resident_client.post(
        LIST_URL, {"service": service.slug, "answers": {"full_name": "Li Lei"}}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(rf"HLT-{timezone.localdate().year}-\d{{6}}", body["reference"])
    assert body["status"] == Status.DRAFT
    assert body["service"] == service.slug
    assert body["answers"] == {"full_name": "Li Lei"}
    application = Application.objects.get(public_id=body["id"])
    assert (application.applicant, application.channel, application.reference) == (
        resident,
        "mobile",
        body["reference"],
    )


def test_create_without_answers_starts_an_empty_draft(resident_client, service):
    """Answers are optional when creating: the draft starts empty."""
    response = resident_client.post(LIST_URL, {"service": service.slug}, format="json")

    assert response.status_code == 201
    assert response.json()["answers"] == {}


def test_submit_then_routing_runs_after_commit(resident_client, service, django_capture_on_commit_callbacks):
    """Submitting answers 'submitted'; once the transaction commits, routing runs and the timeline shows it."""
    # given
    created = resident_client.post(LIST_URL, {"service": service.slug, "answers": VALID_ANSWERS}, format="json")
    application = Application.objects.get(public_id=created.json()["id"])

    # when
    with django_capture_on_commit_callbacks(execute=True):
        submitted = resident_client.post(submit_url(application))
        application.refresh_from_db()
        assert application.status == Status.SUBMITTED  # routing waits for the commit
    shown = resident_client.get(detail_url(application))

    # then
    assert submitted.status_code == 200
    assert submitted.json()["status"] == Status.SUBMITTED
    assert submitted.json()["submitted_at"]
    assert shown.status_code == 200
    assert shown.json()["status"] == Status.ROUTED
    timeline = shown.json()["timeline"]
    assert [(event["from_status"], event["to_status"]) for event in timeline] == [
        (Status.DRAFT, Status.SUBMITTED),
        (Status.SUBMITTED, Status.ROUTED),
    ]
    assert all(event["at"] for event in timeline)


def test_timeline_hides_internal_events(resident_client, resident, service, django_capture_on_commit_callbacks):
    """The resident's timeline leaves out events meant for staff only (an internal note)."""
    application = ApplicationFactory(applicant=resident, service=service)
    with django_capture_on_commit_callbacks(execute=True):
        resident_client.post(submit_url(application))
    application.events.create(message="internal note", visible_to_resident=False)

    timeline = resident_client.get(detail_url(application)).json()["timeline"]

    assert [e["to_status"] for e in timeline] == ["submitted", "routed"]
    assert "internal note" not in str(timeline)


def test_list_shows_only_the_callers_applications_newest_first(resident_client, resident, service):
    """The list holds the caller's own applications, newest first, and nobody else's."""
    older = ApplicationFactory(applicant=resident, service=service)
    newer = ApplicationFactory(applicant=resident, service=service)
    ApplicationFactory(service=service)

    response = resident_client.get(LIST_URL)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(newer.public_id), str(older.public_id)]


def test_list_pages_with_a_cursor(resident_client, resident, service):
    """Large lists come in pages; following ``next`` gives the rest without repeats."""
    ApplicationFactory.create_batch(3, applicant=resident, service=service)

    first = resident_client.get(LIST_URL, {"page_size": 2}).json()
    second = resident_client.get(first["next"]).json()

    ids = [item["id"] for item in first["results"] + second["results"]]
    assert len(ids) == len(set(ids)) == 3
    assert second["next"] is None


@pytest.mark.parametrize("count", [1, 5])
def test_list_query_count_is_constant(resident_client, resident, service, django_assert_num_queries, count):
    """Listing applications costs the same number of queries however many there are."""
    ApplicationFactory.create_batch(count, applicant=resident, service=service)

    with django_assert_num_queries(1):
        response = resident_client.get(LIST_URL)

    assert len(response.json()["results"]) == count


def test_someone_elses_application_is_not_found(resident_client, service):
    """Another person's application is a 404, for reading and for submitting, and stays a draft."""
    theirs = ApplicationFactory(applicant=UserFactory(), service=service)

    shown = resident_client.get(detail_url(theirs))
    submitted = resident_client.post(submit_url(theirs))

    assert shown.status_code == 404
    assert submitted.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT
