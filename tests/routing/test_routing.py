"""Routing submitted applications to their queue, intake checks and assignment, failures, and the outbox sweep."""

import datetime as dt
import logging
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from services.accounts.models import DepartmentMembership, ResidentProfile
from services.applications.actions import application_submit
from services.applications.models import ApplicationDocument, ApplicationEvent, Priority, Status
from services.applications.selectors import missing_document_types
from services.catalogue.models import DocumentType
from services.common.errors import NotAllowed
from services.routing.actions import application_intake_check, application_route, application_routing_retry
from services.routing.intake import intake_findings_for_display
from services.routing.models import PeriodicRun
from services.routing.selectors import unrouted_application_ids
from services.routing.tasks import (
    intake_application,
    intake_applications,
    route_application,
    route_submitted,
    sweep_routing,
)
from tests.conftest import staff_login
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    RoutingRuleFactory,
    ServiceFactory,
    StaffFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db


def submitted(service, *, ago: dt.timedelta = dt.timedelta(0), **kwargs):
    """Return an application of ``service`` submitted ``ago``."""
    return ApplicationFactory(service=service, submitted=True, submitted_at=timezone.now() - ago, **kwargs)


def routed(service, *, ago: dt.timedelta = dt.timedelta(0), **kwargs):
    """Return an application of ``service`` routed ``ago``, its intake not run yet."""
    return ApplicationFactory(service=service, routed=True, routed_at=timezone.now() - ago, **kwargs)


# --- application_route --------------------------------------------------------------------------


def test_route_puts_a_submitted_application_in_the_queue_its_rule_chooses(
    service, health, django_capture_on_commit_callbacks
):
    """Routing records the team, the deciding rule, the priority, the due date and one resident-visible event."""
    team = TeamFactory(department=health, code="pudong")
    rule = RoutingRuleFactory(team=team, priority=Priority.HIGH, conditions=[("service", service.slug)])
    application = submitted(service)

    with django_capture_on_commit_callbacks():
        routed_application = application_route(application_id=application.pk)

    assert routed_application.status == Status.ROUTED
    application.refresh_from_db()
    assert (application.department, application.team, application.routing_rule) == (health, team, rule)
    assert application.priority == Priority.HIGH
    assert application.routed_at is not None
    assert application.due_date > timezone.localdate()
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor, event.visible_to_resident) == (
        Status.SUBMITTED,
        Status.ROUTED,
        None,
        True,
    )


def test_without_a_matching_rule_the_services_department_takes_it(service, django_capture_on_commit_callbacks):
    """No rule holds: the service's own department, no team, normal priority, no rule recorded."""
    application = submitted(service)

    with django_capture_on_commit_callbacks():
        application_route(application_id=application.pk)

    application.refresh_from_db()
    assert (application.department, application.team, application.routing_rule) == (service.department, None, None)


def test_route_is_idempotent(service, django_capture_on_commit_callbacks):
    """A second routing of the same application does nothing: it returns None and adds no event or message."""
    application = submitted(service)
    with django_capture_on_commit_callbacks() as first:
        application_route(application_id=application.pk)

    with django_capture_on_commit_callbacks() as second:
        assert application_route(application_id=application.pk) is None

    assert [callback.args for callback in first if callback.args[0] is intake_applications] == [
        (intake_applications, ([application.pk],), None)
    ]
    assert second == []
    assert ApplicationEvent.objects.filter(application=application, to_status=Status.ROUTED).count() == 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.WITHDRAWN, Status.IN_REVIEW])
def test_route_ignores_applications_that_are_not_submitted(service, status, django_capture_on_commit_callbacks):
    """Only 'submitted' applications are routed; any other status is left alone."""
    application = ApplicationFactory.in_status(status, service=service, department=None)

    with django_capture_on_commit_callbacks() as callbacks:
        assert application_route(application_id=application.pk) is None

    assert callbacks == []
    application.refresh_from_db()
    assert (application.status, application.department) == (status, None)
    assert not application.events.exists()


def test_route_of_a_deleted_application_does_nothing():
    """A message for an application that no longer exists is dropped, not retried."""
    assert application_route(application_id=987654) is None


def test_route_publishes_intake_to_the_department_queue_on_commit(service, django_capture_on_commit_callbacks):
    """The department's intake task is published to queue dept.<code>, and only once the transaction commits."""
    application = submitted(service)

    with mock.patch.object(intake_applications, "apply_async") as publish:
        with django_capture_on_commit_callbacks() as callbacks:
            application_route(application_id=application.pk)
        publish.assert_not_called()  # nothing leaves before the commit

        for callback in callbacks:  # the commit
            callback()

    publish.assert_called_once_with(([application.pk],), None, queue="dept.health")


def test_route_task_runs_intake_after_commit(service, django_capture_on_commit_callbacks):
    """In eager mode the routing task routes, then the intake checks run once routing commits."""
    application = submitted(service)

    with django_capture_on_commit_callbacks(execute=True):
        route_application.delay(application.pk)

    application.refresh_from_db()
    assert application.status == Status.ROUTED
    assert application.intake_checked_at is not None


# --- Publishing ------------------------------------------------------------------------------------------


def test_submit_publishes_routing_only_after_commit(service, resident, django_capture_on_commit_callbacks):
    """The routing message leaves once the submission is committed, never before."""
    application = ApplicationFactory(service=service, applicant=resident, status=Status.DRAFT)

    with mock.patch.object(route_submitted, "apply_async") as publish:
        with django_capture_on_commit_callbacks() as callbacks:
            application_submit(application=application, by=resident)
        publish.assert_not_called()
        for callback in callbacks:
            callback()

    publish.assert_called_once_with((), None)


def test_submissions_publish_one_routing_message_while_one_is_waiting(
    service, django_capture_on_commit_callbacks, settings
):
    """Ten submissions while no worker has taken the first message publish one message; once a worker takes it,
    the next submission publishes again (the batch it runs routes everything waiting)."""
    drafts = [ApplicationFactory(service=service, status=Status.DRAFT) for _ in range(11)]

    with mock.patch.object(route_submitted, "apply_async") as publish:
        with django_capture_on_commit_callbacks(execute=True):
            for draft in drafts[:10]:
                application_submit(application=draft, by=draft.applicant)
        assert publish.call_count == 1
        route_submitted.run()  # a worker takes the message: all ten are routed in one batch
        with django_capture_on_commit_callbacks(execute=True):
            application_submit(application=drafts[10], by=drafts[10].applicant)

    assert publish.call_count == 2
    assert ApplicationEvent.objects.filter(to_status=Status.ROUTED).count() == 10


def test_submit_succeeds_when_the_broker_is_down(service, resident, django_capture_on_commit_callbacks, caplog):
    """The broker refusing the message is logged with the reference, and the submission stands for the sweep."""
    application = ApplicationFactory(service=service, applicant=resident, status=Status.DRAFT)
    broker_down = OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with (
        mock.patch.object(route_submitted, "apply_async", side_effect=broker_down),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING),
    ):
        application_submit(application=application, by=resident)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    [record] = [r for r in caplog.records if r.name == "services.common.tasks"]
    assert record.reference == application.reference
    assert "the sweep will publish it again" in record.getMessage()


def test_any_tasks_delay_on_commit_survives_a_broker_outage(django_capture_on_commit_callbacks, caplog):
    """The portal's task class makes every app's ``delay_on_commit`` log a broker outage rather than fail the
    request after its commit (each app's rows are its outbox)."""
    with (
        mock.patch.object(intake_application, "apply_async", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.WARNING),
    ):
        intake_application.delay_on_commit(42)

    [record] = [r for r in caplog.records if r.name == "services.common.tasks"]
    assert (record.unpublished, record.task_args) == (intake_application.name, (42,))


def test_after_a_refusal_publishing_pauses_so_requests_do_not_wait_on_a_dead_broker(settings, monkeypatch):
    """Once the broker refused one message, the next publishes in the pause are skipped at once (and logged)."""
    from services.common import tasks as publishing

    monkeypatch.setattr(publishing, "_broker_down_until", 0.0)  # restored afterwards
    settings.BROKER_DOWN_PAUSE_SECONDS = 60
    with mock.patch.object(route_application, "apply_async", side_effect=OperationalError("down")) as broker:
        assert publishing.publish(route_application, (1,)) is False
        assert publishing.publish(route_application, (2,)) is False

    assert broker.call_count == 1


# --- Intake ---------------------------------------------------------------------------------------------


def test_intake_flags_a_duplicate_open_application(service, resident):
    """A second open application of the same applicant for the same service is flagged, for staff only."""
    first = ApplicationFactory(applicant=resident, service=service, routed=True)
    second = ApplicationFactory(applicant=resident, service=service, routed=True)

    flags = application_intake_check(application_id=second.pk)

    assert flags == [{"code": "duplicate_open", "references": [first.reference]}]
    second.refresh_from_db()
    assert second.intake_flags == flags
    assert second.intake_checked_at is not None
    with translation.override("en"):
        assert intake_findings_for_display(application=second) == [
            f"The applicant has another open application for this service: {first.reference}"
        ]
    event = second.events.get()
    assert (event.note, event.visible_to_resident) == ("intake_checked", False)  # not in the resident's timeline


def test_intake_ignores_closed_drafts_and_other_services_or_applicants(service, resident, health):
    """Decided, withdrawn and draft applications, other services and other people are not duplicates."""
    for status in (Status.DRAFT, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN):
        ApplicationFactory.in_status(status, applicant=resident, service=service)
    ApplicationFactory(applicant=resident, service=ServiceFactory(department=health), routed=True)
    ApplicationFactory(service=service, routed=True)
    application = ApplicationFactory(applicant=resident, service=service, routed=True)

    assert application_intake_check(application_id=application.pk) == []
    application.refresh_from_db()
    assert application.intake_checked_at is not None
    with translation.override("en"):
        assert intake_findings_for_display(application=application) == ["No problems found."]


def test_intake_flags_required_documents_not_attached(health, resident):
    """Each document type the service requires must be covered by an attached, usable wallet document: the same
    rule as the application page's list of documents still missing (missing_document_types)."""
    id_card = DocumentType.objects.create(
        code="resident-id-card", name_zh="居民身份证", name_en="Resident identity card"
    )
    hukou = DocumentType.objects.create(code="household-register", name_zh="户口簿", name_en="Household register")
    service = ServiceFactory(department=health)
    service.document_types.set([id_card, hukou])
    application = ApplicationFactory(service=service, applicant=resident, routed=True)
    ApplicationDocument.objects.create(
        application=application, document=DocumentFactory(owner=resident, document_type=id_card)
    )
    assert [t.code for t in missing_document_types(application=application)] == ["household-register"]

    assert application_intake_check(application_id=application.pk) == [
        {"code": "documents_missing", "types": ["household-register"]}
    ]
    application.refresh_from_db()
    with translation.override("en"):
        assert intake_findings_for_display(application=application) == [
            "Required documents not provided: Household register"
        ]
    with translation.override("zh-hans"):
        assert "户口簿" in intake_findings_for_display(application=application)[0]


@pytest.mark.parametrize(
    ("date_of_birth", "finding"),
    [(dt.date(1990, 1, 1), None), (dt.date(2015, 1, 1), "not_eligible"), (None, "eligibility_unknown")],
)
def test_intake_checks_eligibility_again(health, resident, date_of_birth, finding):
    """The service's eligibility rules are checked again on today's profile; the reasons are shown in words."""
    ResidentProfile.objects.create(user=resident, date_of_birth=date_of_birth)
    service = ServiceFactory(department=health, eligibility_rules=[{"kind": "age", "min": 16}])
    application = ApplicationFactory(service=service, applicant=resident, routed=True)

    flags = application_intake_check(application_id=application.pk)

    assert flags == ([{"code": finding}] if finding else [])
    if finding:
        application.refresh_from_db()
        with translation.override("en"):
            [line] = intake_findings_for_display(application=application)
        assert "for people aged 16 years or older" in line


def test_intake_check_is_idempotent(service, resident):
    """Running the intake check again changes nothing and records no second intake."""
    ApplicationFactory(applicant=resident, service=service, routed=True)
    application = ApplicationFactory(applicant=resident, service=service, routed=True)
    flags = application_intake_check(application_id=application.pk)
    application.refresh_from_db()
    checked_at = application.intake_checked_at

    assert application_intake_check(application_id=application.pk) == flags
    intake_application.delay(application.pk)

    application.refresh_from_db()
    assert application.intake_checked_at == checked_at
    assert application.intake_flags == flags
    assert application.events.filter(note="intake_checked").count() == 1


def test_intake_check_skips_applications_no_longer_routed(service):
    """An application already claimed (or withdrawn) before intake ran is not checked."""
    application = ApplicationFactory(service=service, in_review=True)

    assert application_intake_check(application_id=application.pk) == []
    application.refresh_from_db()
    assert application.intake_checked_at is None
    assert not application.events.exists()


def test_intake_assigns_to_the_least_loaded_caseworker_of_an_auto_assigning_team(service, health):
    """After the checks, an auto-assigning team gives the application to its caseworker with the fewest open cases."""
    busy, free = StaffFactory(department=health), StaffFactory(department=health)
    outsider = StaffFactory()  # in the team but not a caseworker of the department: never assigned
    team = TeamFactory(department=health, auto_assign=True)
    team.members.set([busy, free, outsider])
    ApplicationFactory(service=service, in_review=True, assignee=busy)
    ApplicationFactory(service=service, approved=True, assignee=free)  # closed: no load
    applications = [ApplicationFactory(service=service, routed=True, team=team) for _ in range(3)]

    for application in applications:
        application_intake_check(application_id=application.pk)

    assignees = []
    for application in applications:
        application.refresh_from_db()
        assert application.status == Status.IN_REVIEW
        assignees.append(application.assignee)
    assert assignees == [free, busy, free]  # the least loaded first, ties to the earliest account
    event = applications[0].events.get(to_status=Status.IN_REVIEW)
    assert (event.from_status, event.actor) == (Status.ROUTED, None)


def test_intake_leaves_it_in_the_queue_when_nobody_can_take_it(service, health):
    """An auto-assigning team without an active caseworker leaves the application routed, for anyone to claim."""
    team = TeamFactory(department=health, auto_assign=True)
    team.members.set([StaffFactory(department=health, is_active=False)])
    application = ApplicationFactory(service=service, routed=True, team=team)

    application_intake_check(application_id=application.pk)

    application.refresh_from_db()
    assert (application.status, application.assignee) == (Status.ROUTED, None)
    assert application.intake_checked_at is not None


# --- Failures ------------------------------------------------------------------------------------------------


@pytest.fixture
def eager_retries():
    """Run tasks in-process as the embedded mode does: a failing task retries in place instead of raising."""
    from portal.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


@pytest.fixture
def routing_breaks():
    with mock.patch("services.routing.actions.routing_decide", side_effect=RuntimeError("rule bug")) as broken:
        yield broken


def test_routing_that_keeps_failing_is_flagged_after_bounded_retries(service, routing_breaks, settings, task_retries):
    """Routing is retried as ROUTING_TASK_RETRY says when it fails (here twice, after 3 then 6 seconds), then
    flagged 'routing failed' with a staff-only note; the sweep leaves it."""
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    settings.ROUTING_TASK_RETRY = {"max_retries": 2, "retry_backoff": 3, "retry_backoff_max": 60, "retry_jitter": False}
    application = submitted(service, ago=dt.timedelta(minutes=5))

    result = route_application.apply(args=(application.pk,), throw=False)  # as in the embedded mode

    assert isinstance(result.result, RuntimeError)
    assert routing_breaks.call_count == 3 and task_retries == [3, 6]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.routing_failed_at is not None
    assert application.events.get().note == "routing_failed"
    assert unrouted_application_ids(older_than=dt.timedelta(0)) == []


def test_an_administrator_retries_failed_routing_from_the_admin(
    service, routing_breaks, django_capture_on_commit_callbacks
):
    """The 'retry routing' admin action clears the flag and routes the application again."""
    application = submitted(service, routing_failed_at=timezone.now())
    admin = StaffFactory(is_superuser=True)
    client = Client(headers={"accept-language": "en"})
    staff_login(client, admin)
    changelist = reverse("admin:applications_application_changelist")
    assert application.reference in client.get(changelist, {"routing_failed": "1"}).content.decode()
    routing_breaks.side_effect = None
    routing_breaks.return_value = mock.Mock(
        department=service.department, team=None, rule=None, priority=Priority.NORMAL
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "retry_routing", "_selected_action": [application.pk]}, follow=True
        )

    assert "Routing retried for 1 applications." in response.content.decode()
    application.refresh_from_db()
    assert (application.status, application.routing_failed_at) == (Status.ROUTED, None)
    notes = list(application.events.values_list("note", "actor"))
    assert ("routing_retried", admin.pk) in notes


def test_only_administrators_may_retry_routing(service, health):
    """A supervisor cannot retry routing, and nothing can be retried that did not fail."""
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
    failed = submitted(service, routing_failed_at=timezone.now())
    with pytest.raises(NotAllowed):
        application_routing_retry(application=failed, by=supervisor)
    with pytest.raises(NotAllowed):
        application_routing_retry(application=submitted(service), by=StaffFactory(is_superuser=True))


def test_intake_that_keeps_failing_asks_for_a_check_by_hand(service, eager_retries):
    """When the automatic checks fail after their retries, the caseworker is told to check by hand."""
    application = ApplicationFactory(service=service, routed=True)

    with mock.patch("services.routing.intake.INTAKE_CHECKS", [mock.Mock(side_effect=RuntimeError("down"))]):
        intake_application.apply(args=(application.pk,), throw=False)

    application.refresh_from_db()
    assert application.intake_flags == [{"code": "checks_failed"}]
    with translation.override("en"):
        assert intake_findings_for_display(application=application) == [
            "The automatic checks could not run: check this application by hand."
        ]


def test_a_batchs_intake_checks_the_others_when_one_fails_and_flags_only_that_one(service, eager_retries, settings):
    """intake_applications checks each application of the batch in its own transaction: one whose checks keep
    failing is flagged for a check by hand once the retries are spent; the others are checked once, normally."""
    settings.ROUTING_TASK_RETRY = {"max_retries": 1, "retry_backoff": 1, "retry_backoff_max": 1, "retry_jitter": False}
    good, bad = (ApplicationFactory(service=service, routed=True) for _ in range(2))

    def check(application):
        if application.pk == bad.pk:
            raise RuntimeError("down")

    with mock.patch("services.routing.intake.INTAKE_CHECKS", [check]):
        intake_applications.apply(args=([bad.pk, good.pk],), throw=False)

    good.refresh_from_db()
    bad.refresh_from_db()
    assert (good.intake_flags, bad.intake_flags) == ([], [{"code": "checks_failed"}])
    assert good.events.filter(note="intake_checked").count() == 1


# --- The sweep -------------------------------------------------------------------------------------------------


def test_sweep_republishes_only_work_stuck_past_the_threshold(service, settings):
    """Routing of applications left 'submitted', and intake of routed ones never checked, longer than
    ROUTING_SWEEP_AFTER_SECONDS is published again, oldest first; the run is recorded for the dashboard."""
    settings.ROUTING_SWEEP_AFTER_SECONDS = 120
    stuck_older = submitted(service, ago=dt.timedelta(hours=2))
    stuck = submitted(service, ago=dt.timedelta(seconds=121))
    submitted(service, ago=dt.timedelta(seconds=60))  # its message may still be on its way
    submitted(service, ago=dt.timedelta(hours=1), routing_failed_at=timezone.now())  # waits for staff
    ApplicationFactory(service=service, withdrawn=True, submitted_at=timezone.now() - dt.timedelta(hours=3))
    unchecked = routed(service, ago=dt.timedelta(minutes=5))
    routed(service, ago=dt.timedelta(minutes=5), intake_checked_at=timezone.now())
    routed(service, ago=dt.timedelta(seconds=10))

    with (
        mock.patch.object(route_application, "apply_async") as publish_route,
        mock.patch.object(route_submitted, "apply_async") as publish_batch,
        mock.patch.object(intake_application, "apply_async") as publish_intake,
    ):
        assert sweep_routing() == {"routing": 2, "intake": 1}

    again = settings.SWEEP_REPUBLISH_AFTER_SECONDS  # each message expires as its mark does (publish_again)
    assert publish_route.call_args_list == [
        mock.call((stuck_older.pk,), None, expires=again),
        mock.call((stuck.pk,), None, expires=again),
    ]
    publish_intake.assert_called_once_with((unchecked.pk,), None, expires=again, queue="dept.health")
    publish_batch.assert_called_once_with((), None, expires=again)  # and a batch, for a backlog after an outage
    run = PeriodicRun.objects.get(name="sweep_routing")
    assert run.result == {"routing": 2, "intake": 1}


def test_sweep_routes_the_stuck_applications(service, settings, django_capture_on_commit_callbacks):
    """In eager mode the sweep's messages route the stuck applications for real, once each (the batch it publishes
    takes the fresh one waiting with them)."""
    settings.ROUTING_SWEEP_AFTER_SECONDS = 120
    stuck = submitted(service, ago=dt.timedelta(minutes=5))
    fresh = submitted(service)

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_routing()["routing"] == 1

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert (stuck.status, fresh.status) == (Status.ROUTED, Status.ROUTED)
    assert ApplicationEvent.objects.filter(to_status=Status.ROUTED).count() == 2


def test_sweep_keeps_going_when_the_broker_is_down(service, settings):
    """A sweep that cannot publish logs it and tries again on its next run."""
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    submitted(service, ago=dt.timedelta(minutes=5))

    with (
        mock.patch.object(route_application, "apply_async", side_effect=OperationalError("down")),
        mock.patch.object(route_submitted, "apply_async", side_effect=OperationalError("down")),
    ):
        assert sweep_routing() == {"routing": 1, "intake": 0}


def test_unrouted_ids_are_capped(service):
    """One sweep publishes at most ``limit`` applications, oldest first."""
    old = [submitted(service, ago=dt.timedelta(hours=h)) for h in (3, 2, 1)]

    assert unrouted_application_ids(older_than=dt.timedelta(minutes=2), limit=2) == [old[0].pk, old[1].pk]


def test_routing_tasks_are_published_to_the_routing_queue():
    """route_application and route_submitted go to the 'routing' queue, which the routing workers consume."""
    from portal.celery import app

    for task, args in ((route_application, (1,)), (route_submitted, ())):
        assert app.amqp.router.route({}, task.name, args=args, kwargs={})["queue"].name == "routing"


def test_the_intake_note_is_refreshed_when_the_missing_document_arrives(
    health, resident, django_capture_on_commit_callbacks
):
    """The caseworker's intake note listed the household register as missing; once the resident attaches it, the
    note is checked again (in the department's queue) and says nothing is missing; the status is unchanged."""
    from services.applications.actions import document_attach

    hukou = DocumentType.objects.create(code="household-register", name_zh="户口簿", name_en="Household register")
    service = ServiceFactory(department=health)
    service.document_types.set([hukou])
    application = ApplicationFactory(service=service, applicant=resident, routed=True)
    assert application_intake_check(application_id=application.pk)[0]["code"] == "documents_missing"
    application.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        document_attach(application=application, document=DocumentFactory(owner=resident, document_type=hukou),
                        by=resident)  # fmt: skip

    application.refresh_from_db()
    assert (application.intake_flags, application.status) == ([], Status.ROUTED)
    with translation.override("en"):
        assert intake_findings_for_display(application=application) == ["No problems found."]
