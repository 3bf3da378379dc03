"""The whole journey on PostgreSQL, Redis and real Celery worker processes."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from services.applications.models import Application, Status
from tests.conftest import staff_login
from tests.factories import VALID_ANSWERS, ApplicationFactory

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def app_login(email: str, password: str) -> APIClient:
    """Log in through allauth's app API, as the mobile app does, and return a client sending the token."""
    client = APIClient()
    response = client.post("/api/auth/app/v1/auth/login", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


def test_resident_applies_by_api_worker_routes_health_caseworker_approves(
    publish_to_broker, service, resident, health_caseworker, education_caseworker
):
    """Submit by API → routed by a worker → in the health queue only → approved → the API shows it."""
    workers = publish_to_broker
    api = app_login(resident.email, "correct-horse-battery")

    # given a draft created and submitted through the API
    created = api.post("/api/v1/applications/", {"service": service.slug, "answers": VALID_ANSWERS}, format="json")
    assert created.status_code == 201, created.content
    public_id = created.json()["id"]
    submitted = api.post(f"/api/v1/applications/{public_id}/submit/")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "submitted"

    # then the routing worker puts it in the health department's queue and the health worker runs intake
    application = wait_for(
        lambda: (
            Application.objects.filter(public_id=public_id, status=Status.ROUTED, intake_checked_at__isnull=False)
            .select_related("department")
            .first()
        ),
        what="routing and intake by the workers",
        workers=workers,
    )
    assert application.department.code == "health"
    assert application.intake_flags == []

    # the health caseworker sees it in the admin; the education caseworker gets a 404
    health, education = Client(), Client()
    staff_login(health, health_caseworker)  # staff open the admin only signed in with their authenticator
    staff_login(education, education_caseworker)
    change_url = f"/admin/applications/application/{application.pk}/change/"
    assert application.reference in health.get("/admin/applications/application/").content.decode()
    assert health.get(change_url).status_code == 200
    assert education.get(change_url).status_code == 404
    assert application.reference not in education.get("/admin/applications/application/").content.decode()

    # the health caseworker claims and approves it
    act_url = f"/admin/applications/application/{application.pk}/act/"
    health.post(act_url, {"action": "claim", "version": application.version})
    application.refresh_from_db()
    decision = {"action": "approve", "reason": "All documents in order.", "version": application.version}
    letter = health.post(act_url, decision)  # the letter first, then the decision confirmed for it
    health.post(act_url, {**decision, "confirm": letter.context["fingerprint"]})

    # the resident's API shows the decision and the whole timeline
    detail = api.get(f"/api/v1/applications/{public_id}/").json()
    assert detail["status"] == "approved"
    assert detail["decision_reason"] == "All documents in order."
    assert [e["to_status"] for e in detail["timeline"]] == ["submitted", "routed", "in_review", "approved"]
    listed = api.get("/api/v1/applications/").json()["results"]
    assert [(a["id"], a["status"]) for a in listed] == [(public_id, "approved")]


def test_sweep_republishes_an_application_whose_routing_message_was_lost(
    publish_to_broker, service, resident, settings
):
    """A 'submitted' row with no message in the broker is routed once the beat sweep runs."""
    from django.utils import timezone

    from services.routing.tasks import sweep_routing

    lost = ApplicationFactory(
        applicant=resident,
        service=service,
        submitted=True,
        submitted_at=timezone.now() - timezone.timedelta(hours=1),
        reference="HLT-2026-999999",
    )
    assert sweep_routing.apply().get() == {"routing": 1, "intake": 0}  # runs here; publishes to the worker
    wait_for(
        lambda: Application.objects.filter(pk=lost.pk, status=Status.ROUTED).exists(),
        what="the swept application to be routed",
        workers=publish_to_broker,
    )
