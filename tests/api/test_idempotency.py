"""Safe retries: Idempotency-Key on unsafe POSTs replays the first response, refuses reuse and concurrent use."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from services.api.actions import idempotency_key_claim, idempotency_key_finish, idempotency_keys_purge
from services.api.models import IdempotencyKey
from services.applications.actions import application_create_draft
from services.applications.models import Application
from tests.factories import ApplicationFactory, UserFactory

from .problems import assert_problem

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/applications/"


def test_same_key_and_body_replays_the_first_response_without_a_second_draft(resident_client, service):
    """A retried create with the same key and body answers the first 201 again and makes no second draft."""
    body = {"service": service.slug, "answers": {"full_name": "Li Lei"}}

    first = resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert (again.content, again["Content-Type"]) == (first.content, first["Content-Type"])  # as it was sent
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Application.objects.count() == 1


def test_same_key_with_another_body_is_422(resident_client, service):
    """Reusing a key for a different request is refused with a 422 problem, and nothing is created."""
    resident_client.post(LIST_URL, {"service": service.slug}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    response = resident_client.post(
        LIST_URL, {"service": service.slug, "answers": {"full_name": "X"}}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )

    assert_problem(response, 422, "idempotency_key_reused")
    assert Application.objects.count() == 1


def test_a_key_still_running_is_409(resident_client, resident, service, settings):
    """A key row not finished (left by the version before keys shared their request's transaction) is a 409."""
    settings.IDEMPOTENCY_WAIT_SECONDS = 0.1
    body = {"service": service.slug}
    from services.api.actions import request_fingerprint

    IdempotencyKey.objects.create(
        user=resident,
        key="k-3",
        method="POST",
        path=LIST_URL,
        request_hash=request_fingerprint(method="POST", path=LIST_URL, data=body, files={}),
    )

    response = resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-3")

    assert_problem(response, 409, "idempotency_key_in_use")
    assert Application.objects.count() == 0


def test_a_request_that_died_leaves_no_key_and_its_retry_runs_at_once(resident, service, settings):
    """A request killed mid-way takes its key with it (key and writes share its transaction): the retry runs at
    once (no 409, no waiting for the key to go stale) and is then replayed."""
    client = APIClient()
    client.force_authenticate(resident)
    body = {"service": service.slug}

    def killed(**kwargs):
        raise SystemExit("worker killed")  # not an Exception: nothing in the request's own code runs after it

    with (
        mock.patch("services.applications.apis.applications.application_create_draft", killed),
        pytest.raises(SystemExit),
    ):
        client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-died")
    retry = client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-died")
    replay = client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-died")

    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == retry.json()
    assert Application.objects.count() == 1


def test_a_server_error_undoes_the_request_and_frees_the_key(resident, service):
    """An unexpected error rolls back what the request wrote with its key: nothing is kept, the retry runs."""
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(resident)
    body = {"service": service.slug}

    def fails_after_writing(**kwargs):
        application_create_draft(**kwargs)
        raise RuntimeError("bug after the write")

    with mock.patch("services.applications.apis.applications.application_create_draft", fails_after_writing):
        failed = client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-500")
    retry = client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-500")

    assert failed.status_code == 500
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert Application.objects.count() == 1


def test_keys_belong_to_the_caller(resident_client, service):
    """Another resident using the same key value gets their own draft, not the first caller's response."""
    other = UserFactory()
    body = {"service": service.slug}
    from rest_framework.test import APIClient

    other_client = APIClient()
    other_client.force_authenticate(other)

    mine = resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    theirs = other_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")

    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_an_error_response_is_replayed_too(resident_client, resident, service):
    """A 4xx answer is the response for its key: the retry gets the same problem, without running again."""
    application = ApplicationFactory(applicant=resident)  # a draft cannot be withdrawn
    url = f"/api/v1/applications/{application.public_id}/withdraw/"

    first = resident_client.post(url, HTTP_IDEMPOTENCY_KEY="k-4")
    again = resident_client.post(url, HTTP_IDEMPOTENCY_KEY="k-4")

    assert_problem(first, 409)
    assert_problem(again, 409)
    assert (again.content, again["Content-Type"]) == (first.content, first["Content-Type"])
    assert again["Idempotent-Replayed"] == "true"


def test_expired_keys_run_again_and_are_purged(resident_client, resident, service):
    """After 24 hours a key is forgotten: the same request runs again, and the purge deletes old rows."""
    body = {"service": service.slug}
    resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))

    again = resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    purged = idempotency_keys_purge()

    assert again.status_code == 201
    assert "Idempotent-Replayed" not in again
    assert Application.objects.count() == 2
    assert purged == 1
    assert not IdempotencyKey.objects.exists()


def test_without_a_key_nothing_is_recorded(resident_client, service):
    """The header is optional: a POST without it runs as before and records nothing."""
    resident_client.post(LIST_URL, {"service": service.slug}, format="json")

    assert not IdempotencyKey.objects.exists()


def test_a_too_long_key_is_400(resident_client, service):
    """A key longer than 255 characters is a 400 problem naming the header."""
    response = resident_client.post(LIST_URL, {"service": service.slug}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)

    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "Idempotency-Key"


def test_the_purge_is_scheduled(settings):
    """Beat purges expired keys."""
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert "services.api.tasks.purge_idempotency_keys" in tasks


def test_a_replay_keeps_the_location_header(resident_client):
    """Starting a data export with a key twice answers the same 202 with its Location both times."""
    first = resident_client.post("/api/v1/me/export/", HTTP_IDEMPOTENCY_KEY="export-1")
    again = resident_client.post("/api/v1/me/export/", HTTP_IDEMPOTENCY_KEY="export-1")

    assert first.status_code == again.status_code == 202, first.content
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock_timeout is PostgreSQL's")
def test_the_claim_is_one_statement_and_leaves_the_request_without_its_wait_bound(resident):
    """The key is claimed in one statement whose wait for a request still running is bounded, and the request's own
    statements after it are not (lock_timeout set back)."""
    with transaction.atomic(), CaptureQueriesContext(connection) as claiming:
        claimed = idempotency_key_claim(user=resident, key="k-one", method="POST", path=LIST_URL, request_hash="h")
        with connection.cursor() as cursor:
            cursor.execute("SHOW lock_timeout")
            assert cursor.fetchone()[0] == "0"

    assert claimed is None and len(claiming) == 2  # the claim, and the SHOW
    assert IdempotencyKey.objects.get(key="k-one").state == IdempotencyKey.State.RUNNING


def test_the_answer_kept_is_the_running_keys_own_and_a_missing_body_is_null(resident):
    """The answer is written once, onto the caller's running key only (another's key, or one done already, stays
    as it is): its status, the body as sent (its JSON text) and headers, and no body as NULL."""
    other = UserFactory()
    for user, key in [(resident, "a"), (resident, "b"), (other, "a")]:
        idempotency_key_claim(user=user, key=key, method="POST", path="/p/", request_hash="h")

    idempotency_key_finish(user=resident, key="a", status_code=201, body_json='{"id":"x","名":[1,null]}',
                           headers={"Location": "/p/x/"})  # fmt: skip
    idempotency_key_finish(user=resident, key="a", status_code=500, body_json='{"again":true}')
    idempotency_key_finish(user=resident, key="b", status_code=204, body_json=None)

    rows = {(row.user_id, row.key): row for row in IdempotencyKey.objects.all()}
    first, empty, theirs = rows[resident.pk, "a"], rows[resident.pk, "b"], rows[other.pk, "a"]
    assert (first.state, first.response_status, first.response_body, first.response_headers) == (
        "done", 201, '{"id":"x","名":[1,null]}', {"Location": "/p/x/"})  # fmt: skip
    assert (empty.state, empty.response_status, empty.response_headers) == ("done", 204, {})
    assert IdempotencyKey.objects.filter(pk=empty.pk, response_body__isnull=True).exists()
    assert (theirs.state, theirs.response_status) == ("running", None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="column compression is PostgreSQL's")
def test_the_answers_are_kept_as_text_compressed_with_lz4():
    """An answer is kept as the text it was sent as (no jsonb parse), compressed with lz4 (cheaper than pglz)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT format_type(atttypid, atttypmod), attcompression FROM pg_attribute "
            "WHERE attrelid = 'api_idempotencykey'::regclass AND attname = 'response_body'"
        )
        assert cursor.fetchone() == ("text", "l")
