"""Simultaneous requests with the same Idempotency-Key on PostgreSQL: exactly one runs; the others wait for its
answer and replay it, or get a 409 if it is still running after IDEMPOTENCY_WAIT_SECONDS."""

import json
import threading
import time

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from services.applications import actions as application_actions
from services.applications.models import Application, ApplicationEvent, Status
from tests.conftest import unavailable
from tests.factories import ApplicationFactory, DepartmentFactory, ServiceFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_concurrent_retry_with_the_same_key_is_409_and_only_one_draft_is_made(monkeypatch):
    """While the first create is still running, the same key and body get a 409; the first then answers 201."""
    if connection.vendor != "postgresql":
        unavailable("the concurrency test needs PostgreSQL: set DATABASE_URL=postgres://...")
    resident = UserFactory()
    service = ServiceFactory(department=DepartmentFactory(code="health", reference_prefix="HLT"))
    inside, release = threading.Event(), threading.Event()
    create = application_actions.application_create_draft

    def slow_create(**kwargs):
        inside.set()
        assert release.wait(10)
        return create(**kwargs)

    monkeypatch.setattr("services.applications.apis.applications.application_create_draft", slow_create)
    results = {}

    def post(name):
        client = APIClient()
        client.force_authenticate(resident)
        try:
            results[name] = client.post(
                "/api/v1/applications/", {"service": service.slug}, format="json", HTTP_IDEMPOTENCY_KEY="same-key"
            )
        finally:
            connections.close_all()

    first = threading.Thread(target=post, args=("first",))
    first.start()
    assert inside.wait(10)
    second = threading.Thread(target=post, args=("second",))
    second.start()
    second.join(10)
    release.set()
    first.join(10)

    assert results["second"].status_code == 409
    assert results["second"].json()["code"] == "idempotency_key_in_use"
    assert results["first"].status_code == 201
    assert Application.objects.count() == 1


def test_simultaneous_first_requests_race_and_exactly_one_runs():
    """Several requests with one new key released at the same instant: exactly one creates, the rest 409 or
    replay its response."""
    if connection.vendor != "postgresql":
        unavailable("the concurrency test needs PostgreSQL: set DATABASE_URL=postgres://...")
    resident = UserFactory()
    service = ServiceFactory(department=DepartmentFactory(code="health", reference_prefix="HLT"))
    responses = post_together(
        4, user=resident, url="/api/v1/applications/", data={"service": service.slug}, key="race", timeout=20
    )
    statuses = [(response.status_code, response.get("Idempotent-Replayed")) for response in responses]

    assert Application.objects.count() == 1
    ran = [s for s in statuses if s == (201, None)]
    assert len(ran) == 1, statuses
    assert all(s in {(409, None), (201, "true")} for s in statuses if s not in ran), statuses


def test_ten_parallel_submits_with_one_key_submit_once_and_all_get_the_same_answer(monkeypatch):
    """Ten submits of one draft with one key, released together while the first is still running: the draft is
    submitted once, all ten answers have the same status and body (nine replayed); another body with the key is
    a 422 and changes nothing."""
    if connection.vendor != "postgresql":
        unavailable("the concurrency test needs PostgreSQL: set DATABASE_URL=postgres://...")
    resident = UserFactory()
    service = ServiceFactory(department=DepartmentFactory(code="health", reference_prefix="HLT"))
    draft = ApplicationFactory(service=service, applicant=resident)
    submit = application_actions.application_submit

    def slow_submit(**kwargs):
        time.sleep(0.5)  # the first is still running when the other nine arrive
        return submit(**kwargs)

    monkeypatch.setattr("services.applications.apis.applications.application_submit", slow_submit)
    url = f"/api/v1/applications/{draft.public_id}/submit/"
    responses = post_together(10, user=resident, url=url, data=None, key="submit-once", timeout=30)
    answers = [(r.status_code, r.json(), r.get("Idempotent-Replayed")) for r in responses]
    client = APIClient()
    client.force_authenticate(resident)
    other_body = client.post(url, {"note": "again"}, format="json", HTTP_IDEMPOTENCY_KEY="submit-once")

    assert len(answers) == 10
    assert {(status, json.dumps(body, sort_keys=True)) for status, body, _ in answers} == {
        (200, json.dumps(answers[0][1], sort_keys=True))
    }
    assert answers[0][1]["status"] == "submitted" and answers[0][1]["id"] == str(draft.public_id)
    assert sorted(replayed or "" for _, _, replayed in answers) == [""] + ["true"] * 9
    assert ApplicationEvent.objects.filter(application=draft, to_status=Status.SUBMITTED).count() == 1
    assert Application.objects.filter(applicant=resident).count() == 1
    assert other_body.status_code == 422 and other_body.json()["code"] == "idempotency_key_reused"


def post_together(count: int, *, user, url: str, data, key: str, timeout: float) -> list:
    """POST ``data`` to ``url`` as ``user`` with the Idempotency-Key ``key`` from ``count`` threads released at the
    same instant, each on its own database connection; return the responses that arrived within ``timeout``."""
    barrier = threading.Barrier(count)
    responses = []

    def post():
        client = APIClient()
        client.force_authenticate(user)
        barrier.wait(10)
        try:
            responses.append(client.post(url, data, format="json", HTTP_IDEMPOTENCY_KEY=key))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return responses
