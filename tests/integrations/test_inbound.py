"""A department's own system acts on its applications through the API (token) or signed inbound calls, through
the same transition function as caseworkers, audited as that system, once per event id."""

import json
import time
import uuid

import pytest
from rest_framework.test import APIClient

from services.applications.models import ApplicationEvent, Status
from services.audit.models import AuditAction, AuditEntry
from services.events.signing import signed_headers
from services.integrations.actions import department_system_create
from services.integrations.models import InboundCall
from tests.conftest import staff_login
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system(health):
    system, token = department_system_create(name="Health case system", department=health)
    system.token = token
    return system


@pytest.fixture
def api(system):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {system.token}")
    return client


def act(api, application, **body):
    return api.post(f"/api/systems/v1/applications/{application.public_id}/actions/", body, format="json")


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def signed(client, system, body: dict, *, secret=None, timestamp=None, msg_id=None):
    raw = json.dumps(body).encode()
    headers = signed_headers(secrets=[secret or system.inbound_secret], msg_id=msg_id or f"evt-{uuid.uuid4()}",
                             body=raw, timestamp=timestamp)  # fmt: skip
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
    return client.post(f"/api/systems/v1/inbound/{system.public_id}/", raw, content_type="application/json", **extra)


def test_a_system_claims_and_approves_the_resident_sees_it_and_the_audit_names_the_system(api, system, service):
    application = ApplicationFactory(routed=True, service=service)

    claimed = act(api, application, id="case-1-claim", action="claim")
    approved = act(api, application, id="case-1-approve", action="approve", reason="Registered with Dr Wang.")

    assert claimed.status_code == 201 and approved.status_code == 201, approved.content
    assert approved.json() == {"id": "case-1-approve", "application": str(application.public_id),
                               "status": "approved", "replayed": False}  # fmt: skip
    application.refresh_from_db()
    assert application.status == Status.APPROVED and application.decision_reason == "Registered with Dr Wang."
    assert application.assignee == system.account
    resident = APIClient()
    resident.force_authenticate(application.applicant)
    assert resident.get(f"/api/v1/applications/{application.public_id}/").json()["status"] == "approved"
    audit = AuditEntry.objects.filter(application=application).order_by("id")
    assert [(e.action, e.actor, e.department) for e in audit] == [
        (AuditAction.CLAIM, system.account, system.department),
        (AuditAction.APPROVE, system.account, system.department),
    ]
    assert all(system.name in e.detail for e in audit)
    assert ApplicationEvent.objects.filter(application=application, actor=system.account).count() == 2


def test_the_same_event_id_again_changes_nothing(api, service):
    application = ApplicationFactory(routed=True, service=service)
    first = act(api, application, id="e-1", action="claim")
    events = ApplicationEvent.objects.count()

    again = act(api, application, id="e-1", action="claim")
    other = act(api, application, id="e-1", action="approve", reason="x")

    assert first.status_code == 201 and again.status_code == 200 and again.json()["replayed"] is True
    assert ApplicationEvent.objects.count() == events and InboundCall.objects.count() == 1
    assert other.status_code == 400 and fields(other) == ["id"]


def test_deciding_an_application_not_in_review_is_a_409_and_changes_nothing(api, service):
    application = ApplicationFactory(routed=True, service=service)  # not claimed
    withdrawn = ApplicationFactory(withdrawn=True, service=service, department=service.department)

    refused = act(api, application, id="e-2", action="approve", reason="ok")
    too_late = act(api, withdrawn, id="e-3", action="claim")

    assert refused.status_code == 409 and refused.json()["code"] == "invalid_transition"
    assert too_late.status_code == 409
    application.refresh_from_db()
    assert application.status == Status.ROUTED and not InboundCall.objects.exists()
    assert act(api, application, id="e-2", action="claim").status_code == 201  # the id was not used up


def test_another_departments_application_is_a_404_and_bad_input_a_400(api, service, education):
    theirs = ApplicationFactory(routed=True, service__department=education)
    mine = ApplicationFactory(routed=True, service=service)

    assert act(api, theirs, id="e-4", action="claim").status_code == 404
    no_id = act(api, mine, action="claim")
    unknown = act(api, mine, id="e-5", action="archive")
    assert no_id.status_code == 400 and fields(no_id) == ["id"]
    assert unknown.status_code == 400 and fields(unknown) == ["action"]
    mine.refresh_from_db()
    assert mine.status == Status.ROUTED


def test_no_token_or_a_wrong_one_is_a_401(system, service):
    application = ApplicationFactory(routed=True, service=service)
    anonymous, wrong = APIClient(), APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Bearer sys_wrong")

    assert act(anonymous, application, id="e", action="claim").status_code == 401
    assert act(wrong, application, id="e", action="claim").status_code == 401
    resident = APIClient()
    resident.force_authenticate(application.applicant)
    assert act(resident, application, id="e", action="claim").status_code in (401, 403)


def test_a_signed_inbound_call_rejects_with_a_reason(client, system, service):
    application = ApplicationFactory(in_review=True, service=service, assignee=system.account)

    answer = signed(client, system, {"application": str(application.public_id), "action": "reject",
                                     "reason": "Not resident in the district."}, msg_id="evt-77")  # fmt: skip

    assert answer.status_code == 201, answer.content
    assert answer.json()["id"] == "evt-77"
    application.refresh_from_db()
    assert application.status == Status.REJECTED
    assert AuditEntry.objects.get(application=application).actor == system.account


@pytest.mark.parametrize(
    "forgery",
    [
        {"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},  # another secret
        {"timestamp": int(time.time()) - 3600},  # an old call replayed
    ],
)
def test_a_forged_or_replayed_inbound_call_is_refused(client, system, service, forgery):
    application = ApplicationFactory(routed=True, service=service)

    answer = signed(client, system, {"application": str(application.public_id), "action": "claim"}, **forgery)

    assert answer.status_code == 401
    application.refresh_from_db()
    assert application.status == Status.ROUTED


def test_an_inbound_call_for_an_unknown_system_or_application(client, system, service):
    unknown = signed(client, system, {"application": str(uuid.uuid4()), "action": "claim"})
    system.public_id = uuid.uuid4()  # a URL naming no system
    nobody = signed(client, system, {"application": str(uuid.uuid4()), "action": "claim"})

    assert unknown.status_code == 404 and nobody.status_code == 401


def test_a_department_handled_in_its_own_system_leaves_the_admin_queue(client, health, health_caseworker, service):
    application = ApplicationFactory(routed=True, service=service)
    staff_login(client, health_caseworker)
    assert application.reference in client.get("/admin/applications/application/").content.decode()

    department_system_create(name="Health case system", department=health, handles_applications=True)

    assert application.reference not in client.get("/admin/applications/application/").content.decode()
