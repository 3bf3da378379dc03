"""Changes of circumstances (一次告知): told once, applied to the profile, carried to every department with a case
(each acknowledges; the resident sees where each stands), delivered to the departments' systems, escalated when left
waiting; bad dates and missing evidence refused keeping what was typed; agents within their mandate only."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.accounts.models import ResidentProfile
from services.accounts.privacy import personal_data_export
from services.audit.models import AuditAction, AuditEntry
from services.circumstances.actions import EVENT_TYPE, acknowledgements_escalate, change_report
from services.circumstances.models import Acknowledgement, AckStatus, Change
from services.circumstances.tasks import escalate_unacknowledged
from services.credentials.models import State
from services.events.actions import delivery_send
from services.events.models import Event, Subscription
from services.integrations.actions import department_system_create
from services.mandates.models import Mandate
from tests.api.problems import assert_problem, error_fields
from tests.conftest import staff_login
from tests.events.receiver import Receiver
from tests.factories import DocumentFactory, StaffFactory, UserFactory
from tests.query_counts import count_queries
from tests.web.html import assert_accessible

from .conftest import credential_for

pytestmark = pytest.mark.django_db
MOVE = {"effective_date": "2026-11-02", "district": "xuhui", "street_address": "漕溪北路88号"}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def report(user, kind="address", data=None, **kwargs) -> Change:
    return change_report(subject=user, reported_by=user, kind=kind, data=data or MOVE, **kwargs)


def test_an_address_change_reaches_the_two_departments_with_open_cases_one_acknowledges_the_resident_sees_both(
    client, person, cases, health, education, health_caseworker
):
    """Reported once on the web: the profile has the new address at once, health and education (open applications)
    each get a pending acknowledgement, employment (decided) none; the applications' answers are untouched. Health's
    caseworker sees it beside the answers and marks it applied; the resident's page shows applied and pending."""
    answers_before = {name: case.answers for name, case in cases.items()}
    client.force_login(person)

    response = client.post(reverse("circumstances:report", args=["address"]), MOVE)

    change = Change.objects.get(user=person)
    assert response.status_code == 302 and response["Location"] == reverse(
        "circumstances:detail", args=[change.public_id]
    )
    profile = ResidentProfile.objects.get(user=person)
    assert (profile.district, profile.street_address) == ("xuhui", "漕溪北路88号")
    assert change.facts == {"district": "xuhui", "street_address": "漕溪北路88号"}
    acks = {ack.department.code: ack for ack in change.acknowledgements.select_related("department")}
    assert set(acks) == {"health", "education"}
    assert {ack.status for ack in acks.values()} == {AckStatus.PENDING}
    assert acks["health"].reasons == ["application"]
    for name, case in cases.items():
        case.refresh_from_db()
        assert case.answers == answers_before[name]

    # The caseworker sees the change beside the answers, then answers it in the admin.
    staff = staff_login(client, health_caseworker)
    page = staff.get(reverse("admin:applications_application_change", args=[cases["health"].pk]))
    assert (
        "漕溪北路88号" in page.content.decode() and "Xuhui" in page.content.decode() or "徐汇" in page.content.decode()
    )
    url = reverse("admin:circumstances_acknowledgement_change", args=[acks["health"].pk])
    assert staff.get(url).status_code == 200
    answered = staff.post(url, {"status": "applied", "note": ""})
    assert answered.status_code == 302, answered.content[:2000]
    acks["health"].refresh_from_db()
    assert acks["health"].status == AckStatus.APPLIED and acks["health"].acknowledged_by == health_caseworker
    audited = AuditEntry.objects.filter(actor=health_caseworker, department=health)
    assert {AuditAction.VIEW_CHANGE, AuditAction.ACKNOWLEDGE_CHANGE} <= set(audited.values_list("action", flat=True))

    # The resident sees both states, on the web and in the API.
    client.force_login(person)
    client.cookies["django_language"] = "en"
    detail = client.get(reverse("circumstances:detail", args=[change.public_id]))
    html = detail.content.decode()
    assert "Applied" in html and "Not yet acknowledged" in html
    assert_accessible(detail)
    body = api(person).get(f"/api/v1/changes/{change.public_id}/").json()
    assert {ack["department"]: ack["status"] for ack in body["acknowledgements"]} == {
        "health": "applied",
        "education": "pending",
    }


def test_the_change_is_delivered_as_an_outbound_event_to_the_departments_subscriptions(person, cases, health, settings):
    """One event per department told, subject the change's id, with no more personal data than kind, date and the
    departments' codes; a subscription for health gets health's, signed, at its endpoint."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver = Receiver()
    try:
        subscription = Subscription.objects.create(name="Health system", url=receiver.url)
        subscription.departments.add(health)
        receiver.secrets = [subscription.secret]

        change = report(person)

        events = Event.objects.filter(type=EVENT_TYPE, subject=str(change.public_id))
        assert events.count() == 2
        expected = {"change": str(change.public_id), "kind": "address", "effective_date": "2026-11-02",
                    "departments": ["education", "health"]}  # fmt: skip
        assert [event.data for event in events] == [expected, expected]
        delivery = subscription.deliveries.get()
        assert delivery.event.department_id == health.pk
        delivery_send(delivery_id=delivery.pk)
        assert receiver.accepted == [str(delivery.event.event_id)]
        sent = receiver.received[0]["event"]
        assert sent["type"] == EVENT_TYPE and sent["subject"] == str(change.public_id) and sent["data"] == expected
    finally:
        receiver.close()


def test_a_change_with_no_department_to_tell_is_still_one_event(person):
    """Nobody has a case: no acknowledgement, and one event without a department (for the portal's own listeners)."""
    change = report(person, kind="job", data={"effective_date": "2026-01-05", "employer": "上海某公司"})
    assert not change.acknowledgements.exists()
    event = Event.objects.get(type=EVENT_TYPE)
    assert event.department_id is None and event.data["departments"] == []


def test_an_active_credential_brings_its_department_and_a_revoked_one_does_not(person, health, employment):
    credential_for(person, health)
    credential_for(person, employment, status=State.REVOKED)
    credential_for(person, employment, valid_until=timezone.now() - dt.timedelta(days=1))  # expired

    change = report(person, kind="phone", data={"effective_date": "2026-11-02", "phone": "+86 139 0000 1111"})

    assert [(a.department_id, a.reasons) for a in change.acknowledgements.all()] == [(health.pk, ["credential"])]
    assert ResidentProfile.objects.get(user=person).phone == "13900001111"


@pytest.mark.parametrize(
    ("date", "message"),
    [
        (1, "cannot be in the future"),
        ("1949-12-30", "before the date of birth"),
        ("2026-02-30", "Enter a real date"),
        ("yesterday", "Enter a real date"),
    ],
)
def test_a_bad_birth_date_is_refused_on_the_web_keeping_what_was_typed(en_client, person, certificate, date, message):
    """A whole number is that many days from today, worked out when the test runs (not at collection, which may be
    before midnight in the portal's time zone)."""
    if isinstance(date, int):
        date = (timezone.localdate() + dt.timedelta(days=date)).isoformat()
    en_client.force_login(person)
    typed = {"effective_date": date, "child_name": "张小明", "evidence": str(certificate.public_id)}

    response = en_client.post(reverse("circumstances:report", args=["birth"]), typed)

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'value="张小明"' in html and f'value="{date}"' in html
    assert f'value="{certificate.public_id}" selected' in html
    assert_accessible(response)
    assert not Change.objects.exists()


@pytest.mark.parametrize("kind", ["birth", "death"])
def test_a_birth_or_a_death_without_evidence_is_refused(en_client, person, kind):
    en_client.force_login(person)
    facts = {"child_name": "张小明"} if kind == "birth" else {"relative_name": "李秀英", "relationship": "parent"}

    response = en_client.post(reverse("circumstances:report", args=[kind]), {"effective_date": "2026-11-01", **facts})

    assert "Choose the document that shows this change." in response.content.decode()
    answer = api(person).post(
        "/api/v1/changes/", {"kind": kind, "effective_date": "2026-11-01", **facts}, format="json"
    )
    body = assert_problem(answer, 400, "invalid")
    assert error_fields(body) == {"evidence"}
    assert not Change.objects.exists()


def test_the_api_reports_a_birth_and_refuses_bad_dates_with_problems(person, certificate):
    client = api(person)
    birth = {"kind": "birth", "child_name": "张小明", "evidence": str(certificate.public_id)}
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    for date in (future, "1900-01-01", "not-a-date"):
        body = assert_problem(client.post("/api/v1/changes/", {**birth, "effective_date": date}, format="json"), 400)
        assert error_fields(body) == {"effective_date"}
    someone_elses = DocumentFactory(owner=UserFactory())
    answer = client.post(
        "/api/v1/changes/",
        {**birth, "effective_date": "2026-10-01", "evidence": str(someone_elses.public_id)},
        format="json",
    )
    body = assert_problem(answer, 400)
    assert error_fields(body) == {"evidence"}

    created = client.post("/api/v1/changes/", {**birth, "effective_date": "2026-10-01"}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["facts"] == {"child_name": "张小明", "child_birth_date": "2026-10-01"}
    assert Change.objects.get().evidence == certificate


def test_an_agent_reports_within_an_all_services_mandate_and_gets_a_404_outside_it(client, person, cases):
    agent = UserFactory()
    mandate = Mandate.objects.create(grantor=person, grantee=agent, basis="guardian", status="active")
    client.force_login(agent)

    response = client.post(reverse("circumstances:report", args=["address"]) + f"?for={mandate.public_id}", MOVE)

    change = Change.objects.get()
    assert response.status_code == 302 and change.user == person and change.reported_by == agent
    assert change.mandate == mandate and change.acknowledgements.count() == 2
    assert client.get(reverse("circumstances:detail", args=[change.public_id])).status_code == 200

    # A mandate for some services only, a read-only one, an ended one: 404 on the web and in the API.
    limited = Mandate.objects.create(grantor=UserFactory(), grantee=agent, basis="guardian", status="active",
                                     all_services=False)  # fmt: skip
    read_only = Mandate.objects.create(grantor=UserFactory(), grantee=agent, basis="guardian", status="active",
                                       access="read")  # fmt: skip
    ended = Mandate.objects.create(grantor=UserFactory(), grantee=agent, basis="guardian", status="revoked")
    for other in (limited, read_only, ended):
        url = reverse("circumstances:report", args=["address"]) + f"?for={other.public_id}"
        assert client.get(url).status_code == 404
        assert client.post(url, MOVE).status_code == 404
        job = {"kind": "job", "effective_date": "2026-01-05", "employer": "X", "on_behalf_of": str(other.public_id)}
        assert_problem(api(agent).post("/api/v1/changes/", job, format="json"), 404)
    assert client.get(reverse("circumstances:choose") + "?for=not-a-uuid").status_code == 404
    assert Change.objects.count() == 1


def test_another_persons_change_is_a_404(client, person, cases):
    change = report(person)
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(reverse("circumstances:detail", args=[change.public_id])).status_code == 404
    assert_problem(api(stranger).get(f"/api/v1/changes/{change.public_id}/"), 404)
    assert api(stranger).get("/api/v1/changes/").json() == []


def test_another_departments_caseworker_gets_a_404_and_staff_without_two_factors_see_nothing(
    client, person, cases, employment
):
    change = report(person)
    health_ack = change.acknowledgements.get(department__code="health")
    outsider = staff_login(client, StaffFactory(department=employment))
    assert outsider.get(reverse("admin:circumstances_acknowledgement_change", args=[health_ack.pk])).status_code == 404
    listing = outsider.get(reverse("admin:circumstances_acknowledgement_changelist"))
    assert listing.status_code == 200 and f"/{health_ack.pk}/change/" not in listing.content.decode()

    password_only = StaffFactory(department=health_ack.department)
    client.force_login(password_only)
    url = reverse("admin:circumstances_acknowledgement_change", args=[health_ack.pk])
    assert client.get(url).status_code in (302, 403, 404)
    assert client.post(url, {"status": "applied"}).status_code in (302, 403, 404)
    health_ack.refresh_from_db()
    assert health_ack.status == AckStatus.PENDING


def test_a_department_answers_several_at_once_with_the_admin_action(client, person, cases, health_caseworker):
    first, second = report(person), report(person, kind="job", data={"effective_date": "2026-01-05", "employer": "A"})
    acks = Acknowledgement.objects.filter(department__code="health")
    staff = staff_login(client, health_caseworker)

    staff.post(reverse("admin:circumstances_acknowledgement_changelist"),
               {"action": "mark_not_relevant", "_selected_action": [a.pk for a in acks]})  # fmt: skip

    assert set(acks.values_list("status", flat=True)) == {AckStatus.NOT_RELEVANT}
    assert set(Acknowledgement.objects.filter(department__code="education").values_list("status", flat=True)) == {
        AckStatus.PENDING
    }
    assert first.pk != second.pk


def test_a_department_that_never_acknowledges_is_escalated_after_n_working_days(person, cases, settings):
    """Five working days from Friday 2026-10-09 end on Thursday 2026-10-15, as Saturday 2026-10-10 is an adjusted
    working day (调休, services/calendar): escalated on Friday's run, not on Thursday's; an answered one never; a
    second run changes nothing."""
    settings.CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS = 5
    change = report(person)
    Acknowledgement.objects.filter(change=change).update(
        created_at=timezone.make_aware(dt.datetime(2026, 10, 9, 10, 0))
    )
    answered = change.acknowledgements.get(department__code="education")
    Acknowledgement.objects.filter(pk=answered.pk).update(status=AckStatus.APPLIED)

    assert acknowledgements_escalate(today=dt.date(2026, 10, 15)) == 0
    assert acknowledgements_escalate(today=dt.date(2026, 10, 16)) == 1
    assert acknowledgements_escalate(today=dt.date(2026, 10, 16)) == 0

    escalated = Acknowledgement.objects.get(escalated_at__isnull=False)
    assert escalated.department.code == "health"
    body = api(person).get(f"/api/v1/changes/{change.public_id}/").json()
    assert {a["department"]: a["escalated"] for a in body["acknowledgements"]} == {"health": True, "education": False}


def test_the_daily_beat_job_runs_on_the_sweeps_queue_and_escalates(person, cases, settings):
    from portal.settings.celery import CELERY_BEAT_SCHEDULE  # the schedule as the settings module declares it

    entry = CELERY_BEAT_SCHEDULE["circumstances-escalate"]
    assert entry["task"] == "services.circumstances.tasks.escalate_unacknowledged"
    assert entry["options"]["queue"] == "sweeps"
    settings.CIRCUMSTANCES_ESCALATE_AFTER_WORKING_DAYS = 1
    report(person)
    Acknowledgement.objects.update(created_at=timezone.now() - dt.timedelta(days=30))
    assert escalate_unacknowledged.delay().get() == 2


def test_the_pages_are_there_in_both_languages_and_accessible(client, person, cases):
    change = report(person)
    client.force_login(person)
    for language, words in (("zh-hans", "情况变更"), ("en", "Changes of circumstances")):
        client.cookies["django_language"] = language
        for url in (reverse("circumstances:list"), reverse("circumstances:choose"),
                    reverse("circumstances:report", args=["death"]),
                    reverse("circumstances:detail", args=[change.public_id])):  # fmt: skip
            response = client.get(url)
            assert_accessible(response)
        assert words in client.get(reverse("circumstances:list")).content.decode()
    assert client.get(reverse("circumstances:report", args=["marriage"])).status_code == 404


def test_the_changes_are_in_the_data_export(person, cases):
    report(person)
    content, _files = personal_data_export(user=person)
    assert content["changes_of_circumstances"][0]["departments"] == {"education": "pending", "health": "pending"}


def test_a_departments_system_answers_its_own_departments_change_and_gets_a_404_for_another(person, cases, health):
    change = report(person)
    system, token = department_system_create(name="Health case system", department=health)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/systems/v1/changes/{change.public_id}/acknowledgement/"

    answered = client.post(url, {"status": "needs_action", "note": "请携带新户口簿到社区卫生服务中心。"}, format="json")

    assert answered.status_code == 200, answered.content
    assert answered.json() == {"change": str(change.public_id), "department": "health", "status": "needs_action"}
    ack = change.acknowledgements.get(department=health)
    assert ack.note == "请携带新户口簿到社区卫生服务中心。" and ack.acknowledged_by == system.account
    assert AuditEntry.objects.filter(actor=system.account, action=AuditAction.ACKNOWLEDGE_CHANGE).count() == 1
    assert_problem(client.post(url, {"status": "pending"}, format="json"), 400)
    stranger = report(UserFactory(), kind="job", data={"effective_date": "2026-01-05", "employer": "A"})
    assert_problem(
        client.post(f"/api/systems/v1/changes/{stranger.public_id}/acknowledgement/", {"status": "applied"}), 404
    )
    assert APIClient().post(url, {"status": "applied"}).status_code == 401


def test_the_departments_staff_open_the_evidence_once_it_is_clean_and_another_department_gets_a_404(
    client, person, cases, certificate, health_caseworker, employment
):
    birth = {"effective_date": "2026-10-01", "child_name": "张小明", "evidence": str(certificate.public_id)}
    change = report(person, kind="birth", data=birth)
    ack = change.acknowledgements.get(department__code="health")
    url = reverse("admin:circumstances_acknowledgement_evidence", args=[ack.pk])
    staff = staff_login(client, health_caseworker)

    opened = staff.get(url)

    assert opened.status_code == 200 and b"".join(opened.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(actor=health_caseworker, action=AuditAction.VIEW_DOCUMENT, document=certificate)
    type(certificate).objects.filter(pk=certificate.pk).update(scan_status="pending")
    assert staff.get(url).status_code == 302  # back to the change, with "still being checked"
    staff_login(client, StaffFactory(department=employment))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"kind": "marriage", "effective_date": "2026-01-05"},
        {"kind": "birth", "effective_date": "2026-01-05", "child_name": "张小明", "evidence": "not-a-uuid"},
        {"kind": "birth", "effective_date": "2026-01-05", "child_name": "张小明", "evidence": ["a"]},
        {"kind": "address", "effective_date": None, "district": "atlantis", "street_address": "x" * 201},
        {"kind": "phone", "effective_date": 20260105, "phone": "12345"},
        {"kind": "job", "effective_date": "2026-01-05", "employer": "", "on_behalf_of": "nobody"},
        {"kind": "death", "effective_date": "2026-01-05", "relative_name": "李秀英", "relationship": "cousin"},
        {"kind": "job", "effective_date": "2026-01-05", "employer": "A", "status": "applied"},
        ["kind", "job"],
    ],
)
def test_bad_bodies_are_400_problems_never_500(person, body):
    assert_problem(api(person).post("/api/v1/changes/", body, format="json"), 400)
    assert not Change.objects.exists()


def test_a_resident_without_a_profile_yet_gets_one_with_the_new_address(resident):
    report(resident)
    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.district, profile.street_address) == ("xuhui", "漕溪北路88号")


def test_the_admin_list_and_the_application_page_cost_the_same_queries_with_1_and_20_changes(
    client, person, cases, health_caseworker
):
    staff = staff_login(client, health_caseworker)
    staff.get("/admin/")  # the session's first request records it
    pages = [
        reverse("admin:circumstances_acknowledgement_changelist"),
        reverse("admin:applications_application_change", args=[cases["health"].pk]),
    ]

    def visit():
        for url in pages:
            assert staff.get(url).status_code == 200

    report(person)
    visit()  # warm: what a process reads once (content types, the admin's permissions) is not per row
    with_1 = count_queries(visit)
    for n in range(19):
        report(person, kind="job", data={"effective_date": "2026-01-05", "employer": f"公司{n}"})
    with_20 = count_queries(visit)

    assert with_20 == with_1
    assert Acknowledgement.objects.filter(department__code="health").count() == 20
