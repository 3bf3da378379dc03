"""One submission's request id is on its log lines in every process that handles it: the web's, the routing
worker's and the department worker's (real worker processes on PostgreSQL and Redis, JSON logs)."""

import json

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from services.applications.actions import application_create_draft, application_submit
from services.applications.models import Application
from services.common.request_id import RequestIdMiddleware
from tests.factories import VALID_ANSWERS

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def json_lines(worker) -> list[dict]:
    return [json.loads(line) for line in worker.log.read_text().splitlines() if line.startswith("{")]


def test_one_request_id_follows_a_submission_through_web_routing_and_the_department_worker(
    publish_to_broker, service, resident
):
    routing, health = publish_to_broker
    draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)

    def submit(request):
        application_submit(application=draft, by=resident)
        return HttpResponse()

    response = RequestIdMiddleware(submit)(RequestFactory().post("/", headers={"X-Request-ID": "ingress-7d1f2e3c"}))
    wait_for(
        lambda: Application.objects.filter(pk=draft.pk, intake_checked_at__isnull=False).exists(),
        what="routing and intake",
        workers=publish_to_broker,
    )

    assert response["X-Request-ID"] == "ingress-7d1f2e3c"
    reference = Application.objects.get(pk=draft.pk).reference
    for worker, message in ((routing, "routed"), (health, "intake checked")):
        lines = [line for line in json_lines(worker) if line.get("reference") == reference]
        assert [line["request_id"] for line in lines if line["message"] == message] == ["ingress-7d1f2e3c"], lines
