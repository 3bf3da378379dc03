"""The resident's applications through the API: create a draft, submit it, follow it; only ever one's own."""

import re

import pytest
from django.utils import timezone

from services.applications.models import Application, Status
from tests.factories import VALID_ANSWERS, ApplicationFactory, ServiceFactory, UserFactory

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


def test_list_filters_by_status_and_service(resident_client, resident, service):
    """``status`` (repeatable) and ``service`` narrow the list to the caller's matching applications; the filters
    combine, and keep the cursor pages."""
    other_service = ServiceFactory(department=service.department)
    draft = ApplicationFactory(applicant=resident, service=service)
    submitted = ApplicationFactory(applicant=resident, service=service, submitted=True)
    routed = ApplicationFactory(applicant=resident, service=other_service, routed=True)
    ApplicationFactory(service=service)  # someone else's draft

    def ids(**params):
        response = resident_client.get(LIST_URL, params)
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["results"]}

    assert ids(status="draft") == {str(draft.public_id)}
    assert ids(status=["submitted", "routed"]) == {str(submitted.public_id), str(routed.public_id)}
    assert ids(service=other_service.slug) == {str(routed.public_id)}
    assert ids(service=service.slug, status="routed") == set()


def test_list_filter_with_an_unknown_status_is_a_400(resident_client):
    """A status that does not exist is a field error on ``status``, not an empty list."""
    response = resident_client.get(LIST_URL, {"status": "lost"})

    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"status.0"}


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


# --- Drafts from any device: the form version and saving answers -------------------------------------------


def test_a_draft_shows_the_form_version_it_is_filled_with(resident_client, service):
    """Create and read give the form version number and its schema, kept when the service's form changes."""
    from services.catalogue.actions import form_version_publish

    created = resident_client.post(LIST_URL, {"service": service.slug}, format="json").json()
    service.form_schema = {**service.form_schema, "required": ["full_name"]}
    service.save()
    assert form_version_publish(service=service).number == 2

    application = Application.objects.get(public_id=created["id"])
    shown = resident_client.get(detail_url(application)).json()

    assert created["form_version"] == shown["form_version"] == shown["form"]["version"] == 1
    assert shown["form"]["schema"]["required"] == ["full_name", "start_date", "urgent"]
    assert resident_client.get(LIST_URL).json()["results"][0]["form_version"] == 1


def test_patch_saves_answers_into_the_draft(resident_client, resident, service):
    """PATCH merges answers (null removes one) and answers with the whole draft; the web sees the same draft."""
    application = ApplicationFactory(applicant=resident, service=service, answers={"full_name": "Li Lei"})

    response = resident_client.patch(
        detail_url(application), {"answers": {"start_date": "2026-12-01", "full_name": None}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["answers"] == {"start_date": "2026-12-01"}
    application.refresh_from_db()
    assert application.answers == {"start_date": "2026-12-01"}


def test_patch_a_wrong_answer_is_400_and_saves_nothing(resident_client, resident, service):
    application = ApplicationFactory(applicant=resident, service=service, answers={"full_name": "Li Lei"})

    response = resident_client.patch(detail_url(application), {"answers": {"children": 99}}, format="json")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["answers.children"]
    application.refresh_from_db()
    assert application.answers == {"full_name": "Li Lei"}


def test_patch_a_submitted_application_is_409(resident_client, resident, service):
    application = ApplicationFactory(applicant=resident, service=service, submitted=True)

    response = resident_client.patch(detail_url(application), {"answers": {"full_name": "X"}}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_patch_someone_elses_draft_is_404(resident_client, service):
    application = ApplicationFactory(applicant=UserFactory(), service=service)

    assert resident_client.patch(detail_url(application), {"answers": {}}, format="json").status_code == 404


def test_submit_refused_by_the_eligibility_rules_gives_each_reason(resident_client, resident, service):
    """A submission the rules refuse is a 400 problem with code not_eligible and the failed rules' reasons."""
    service.eligibility_rules = [{"kind": "answer", "field": "urgent", "equals": True}]
    service.save()
    application = ApplicationFactory(applicant=resident, service=service)

    response = resident_client.post(submit_url(application), HTTP_ACCEPT_LANGUAGE="en")

    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "not_eligible"
    assert [(e["field"], e["message"]) for e in body["errors"]] == [
        ("eligibility", "You answered “Urgent?”: No; the service needs: Yes.")
    ]
    application.refresh_from_db()
    assert application.status == Status.DRAFT
