"""A web worker killed between the commit and the answer, then the app's retry with the same Idempotency-Key: the
retry is answered with what the first request did (the draft it made, the application it submitted), and nothing is
made or submitted twice. Real gunicorn on PostgreSQL."""

import http.client
import json
import sys

import pytest
from django.conf import settings

from services.applications.models import Application, ApplicationEvent, Status
from tests.factories import VALID_ANSWERS, UserFactory

from .conftest import Server, free_port, web_answers, worker_env
from .test_faults import session_token

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def post(base: str, path: str, *, token: str, key: str, body: dict | None = None, die: str = ""):
    """POST JSON with an Idempotency-Key (``die``: where the worker dies, see killing_wsgi); return (status,
    headers, body), or None when the connection died."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json", "X-Session-Token": token, "Idempotency-Key": key}
    if die:
        headers["X-Test-Die"] = die
    try:
        connection.request("POST", path, body=json.dumps(body or {}), headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), json.loads(response.read() or b"{}")
    except (ConnectionError, http.client.HTTPException):
        return None
    finally:
        connection.close()


@pytest.fixture
def web(real_services, throwaway_redis):
    """gunicorn (one worker, restarted by its arbiter when it dies) serving the portal through killing_wsgi."""
    env = {
        **worker_env(real_services),
        "CELERY_BROKER_URL": throwaway_redis.url,  # what the submit publishes goes nowhere shared
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the session tokens made here are valid there
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "false",
    }
    base = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "gunicorn", "tests.integration.killing_wsgi:application",
               "--bind", base.removeprefix("http://"), "--workers", "1"]  # fmt: skip

    server = Server("web-killed-worker", command, url=base, ready=lambda: web_answers(base), env=env).start(timeout=60)
    yield base
    server.stop()


def test_a_create_and_a_submit_retried_after_their_worker_died_are_answered_and_done_once(web, service):
    """The worker dies once a create has committed, before its answer is written: the retry with the same key
    replays the 201 with the draft, and makes no second one. It dies again inside a submit, once the submit's
    work is done but before its answer is recorded: the retry answers 200 with the submitted application, not a
    409. One application, submitted once."""
    resident = UserFactory()
    token = session_token(resident)
    new = {"service": service.slug, "answers": VALID_ANSWERS}

    assert post(web, "/api/v1/applications/", token=token, key="create-1", body=new, die="after-commit") is None
    created = post(web, "/api/v1/applications/", token=token, key="create-1", body=new)
    assert created is not None and created[0] == 201, created
    assert created[1].get("Idempotent-Replayed") == "true"
    draft_id = created[2]["id"]

    submit = f"/api/v1/applications/{draft_id}/submit/"
    assert post(web, submit, token=token, key="submit-1", die="before-answer") is None
    submitted = post(web, submit, token=token, key="submit-1")
    assert submitted is not None and submitted[0] == 200, submitted
    assert submitted[2]["status"] == "submitted" and submitted[2]["id"] == draft_id

    assert Application.objects.filter(applicant=resident).count() == 1
    assert ApplicationEvent.objects.filter(application__applicant=resident, to_status=Status.SUBMITTED).count() == 1
