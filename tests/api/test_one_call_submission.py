"""A submission in one call: POST /api/v1/applications/ with ``submit`` creates and submits the application, with the
same checks, records and errors as creating a draft and then submitting it, and fewer queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.applications.models import Application, ApplicationEvent, Status
from services.events.models import Event
from services.notifications.models import Notification
from services.routing.actions import applications_route_batch
from tests.factories import VALID_ANSWERS, ApplicationFactory

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/applications/"
# The answers are the response's; what differs between two applications of the same person is their identity.
OWN = {"id", "reference", "submitted_at", "created_at", "timeline"}


def one_call(client, service, answers, **headers):
    body = {"service": service.slug, "answers": answers, "submit": True}
    return client.post(LIST_URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en", **headers)


def two_calls(client, service, answers):
    created = client.post(LIST_URL, {"service": service.slug, "answers": answers}, format="json",
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    if created.status_code != 201:
        return created
    return client.post(f"{LIST_URL}{created.json()['id']}/submit/", HTTP_ACCEPT_LANGUAGE="en")


def test_one_call_answers_the_submitted_application_and_queues_its_routing(
    resident_client, resident, service, django_capture_on_commit_callbacks
):
    """201 with the submitted application (its one event in the timeline); the same record as the two calls make
    (the event, the routing published after commit; the resident's message and the outbox event written by the
    routing, each once and before the routing's own)."""
    with django_capture_on_commit_callbacks() as published:
        response = one_call(resident_client, service, VALID_ANSWERS)
    paired = two_calls(resident_client, service, VALID_ANSWERS)

    body = response.json()
    application = Application.objects.get(public_id=body["id"])
    assert response.status_code == 201, body
    assert body["status"] == Status.SUBMITTED and body["submitted_at"]
    assert [(e["from_status"], e["to_status"]) for e in body["timeline"]] == [(Status.DRAFT, Status.SUBMITTED)]
    assert {k: v for k, v in body.items() if k not in OWN} == {k: v for k, v in paired.json().items() if k not in OWN}
    assert (application.status, application.channel) == ("submitted", "mobile")
    assert application.reference == body["reference"]
    ours, theirs = (ApplicationEvent.objects.get(application__public_id=r.json()["id"]) for r in (response, paired))
    assert ours.application == application and (ours.from_status, ours.to_status) == ("draft", "submitted")
    assert not Notification.objects.exists() and not Event.objects.exists()  # left to the routing
    assert any("route_submitted" in repr(callback) for callback in published)

    applications_route_batch(limit=10)  # what the published message runs
    applications_route_batch(limit=10)  # and again: nothing more
    told = {
        e: sorted(Notification.objects.filter(event_key=f"application-event:{e.pk}").values_list("channel", flat=True))
        for e in (ours, theirs)
    }
    assert told[ours] == told[theirs] and told[ours]
    for event in (ours, theirs):
        outbox = Event.objects.filter(subject=event.application.public_id).order_by("pk")
        assert [e.type.rsplit(".", 1)[1] for e in outbox] == ["submitted", "routed"]
        assert outbox[0].time == event.created_at


def test_it_submits_the_answers_sent_and_nothing_from_earlier_applications(resident_client, resident, service):
    """An earlier application's answer fills in a new draft's question (a suggestion the resident sees and may clear
    before submitting), but never a one-call submission's, which nobody reviews before it is submitted."""
    ApplicationFactory(applicant=resident, service=service, submitted=True, answers={**VALID_ANSWERS, "children": 3})

    draft = resident_client.post(LIST_URL, {"service": service.slug, "answers": VALID_ANSWERS}, format="json")
    submitted = one_call(resident_client, service, VALID_ANSWERS)

    assert draft.json()["answers"] == {**VALID_ANSWERS, "children": 3}
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["answers"] == VALID_ANSWERS
    assert Application.objects.get(public_id=submitted.json()["id"]).answers == VALID_ANSWERS


def test_a_wrong_answer_is_refused_as_the_draft_would_be_and_nothing_is_created(resident_client, service):
    wrong = {**VALID_ANSWERS, "start_date": "not a date"}

    refused = one_call(resident_client, service, wrong)
    paired = two_calls(resident_client, service, wrong)

    assert refused.status_code == 400
    assert refused.json() == paired.json()
    assert any(e["field"] == "answers.start_date" for e in refused.json()["errors"])
    assert not Application.objects.exists()


def test_a_missing_answer_is_refused_as_the_submission_would_be_and_nothing_is_created(resident_client, service):
    incomplete = {"full_name": "Li Lei"}

    refused = one_call(resident_client, service, incomplete)
    paired = two_calls(resident_client, service, incomplete)

    assert refused.status_code == 400
    assert refused.json() == paired.json()
    assert {e["field"] for e in refused.json()["errors"]} == {"answers.start_date", "answers.urgent"}
    assert Application.objects.count() == 1  # the two calls' draft; the one call left none


def test_the_eligibility_rules_refuse_it_as_the_submission_would(resident_client, service):
    service.eligibility_rules = [{"kind": "answer", "field": "urgent", "equals": True}]
    service.save()

    refused = one_call(resident_client, service, VALID_ANSWERS)
    paired = two_calls(resident_client, service, VALID_ANSWERS)

    assert refused.status_code == 400 and refused.json()["code"] == "not_eligible"
    assert refused.json() == paired.json()


def test_a_retry_with_its_idempotency_key_replays_the_answer_and_submits_once(resident_client, service):
    first = one_call(resident_client, service, VALID_ANSWERS, HTTP_IDEMPOTENCY_KEY="one-call-1")
    again = one_call(resident_client, service, VALID_ANSWERS, HTTP_IDEMPOTENCY_KEY="one-call-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Application.objects.filter(status=Status.SUBMITTED).count() == 1


def count_one_call(client, service, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert one_call(client, service, VALID_ANSWERS, **headers).status_code == 201
    return len(queries)


def test_one_call_costs_fewer_queries_than_two_and_the_same_with_more_earlier_applications(
    resident_client, resident, service
):
    """The one call reads the profile and the rules once and nothing back, no earlier application (it takes none of
    their answers), and the service with its form from the process's copy once it has read them (one small statement
    checks that they have not changed, on PostgreSQL; SQLite reads them), and sends the application's row and its
    event in one round trip: 3 queries against the two calls' 13, whatever the resident applied for before. (The
    test's own transaction stands in for the BEGIN and COMMIT a request adds, as for the submission's savepoint; the
    one call and the draft take none in it, see the next test. SQLite, with no sequence to take the id from first,
    inserts the row and then updates it, in a savepoint, and sends each statement on its own.)"""
    count_one_call(resident_client, service)  # the process reads the service and its form
    with CaptureQueriesContext(connection) as paired:
        assert two_calls(resident_client, service, VALID_ANSWERS).status_code == 200
    few = count_one_call(resident_client, service)
    ApplicationFactory.create_batch(20, applicant=resident, service=service, submitted=True)
    many = count_one_call(resident_client, service)

    assert (few, many, len(paired)) == ((3, 3, 13) if connection.vendor == "postgresql" else (7, 7, 14))


def test_with_an_idempotency_key_it_takes_no_savepoint_in_the_keys_transaction(resident_client, service):
    """With a key, one transaction holds the key, the application and the answer (here a savepoint in the test's,
    a BEGIN and COMMIT in a request): the key claimed and its answer kept are its statements more, and the
    application's writes take no savepoint of their own (every check comes before them)."""
    count_one_call(resident_client, service)  # the process reads the service and its form, keeps them next time
    count_one_call(resident_client, service)
    plain = count_one_call(resident_client, service)
    with CaptureQueriesContext(connection) as queries:
        assert one_call(resident_client, service, VALID_ANSWERS, HTTP_IDEMPOTENCY_KEY="count-1").status_code == 201

    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    if connection.vendor == "postgresql":  # the key's transaction, then the claim and the answer kept
        assert (len(savepoints), len(queries)) == (1, plain + 2 + 1 + 1)
    else:  # and SQLite's claim: the purge of an expired key, then the insert in a savepoint of its own
        assert (len(savepoints), len(queries)) == (3, plain + 2 + 4 + 1)  # the row's insert first: its savepoint


@pytest.mark.parametrize("answers", [{"full_name": "Li Lei"}, VALID_ANSWERS], ids=["incomplete", "not eligible"])
def test_a_refusal_under_an_idempotency_key_is_kept_and_replayed_and_creates_nothing(resident_client, service, answers):
    """A refused one call with a key leaves its transaction usable: the refusal is kept with the key, a retry gets
    the same problem replayed, and no application was created."""
    service.eligibility_rules = [{"kind": "answer", "field": "urgent", "equals": True}]
    service.save()

    first = one_call(resident_client, service, answers, HTTP_IDEMPOTENCY_KEY="refused-1")
    again = one_call(resident_client, service, answers, HTTP_IDEMPOTENCY_KEY="refused-1")

    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    assert not Application.objects.exists()
