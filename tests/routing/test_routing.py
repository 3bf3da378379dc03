"""Routing submitted applications to their department's queue, intake checks, and the lost-message sweep."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone, translation

from services.applications.models import ApplicationEvent, Status
from services.routing.actions import application_intake_check, application_route
from services.routing.selectors import intake_findings_for_display, routing_decide, unrouted_application_ids
from services.routing.tasks import intake_application, route_application, sweep_unrouted
from tests.factories import ApplicationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def submitted(service, *, ago: dt.timedelta = dt.timedelta(0), **kwargs):
    """Return an application of ``service`` submitted ``ago``."""
    return ApplicationFactory(
        service=service, status=Status.SUBMITTED, submitted_at=timezone.now() - ago, department=None, **kwargs
    )


# --- routing_decide -----------------------------------------------------------------------------


def test_routing_decide_picks_the_services_department(service, education):
    """An application goes to the department that runs its service."""
    education_service = ServiceFactory(department=education)

    assert routing_decide(application=submitted(service)).department == service.department
    assert routing_decide(application=submitted(education_service)).department == education


# --- application_route --------------------------------------------------------------------------


def test_route_puts_a_submitted_application_in_its_department_queue(service, django_capture_on_commit_callbacks):
    """Routing sets the department and records one resident-visible ROUTED event."""
    application = submitted(service)

    with django_capture_on_commit_callbacks():
        routed = application_route(application_id=application.pk)

    assert routed.status == Status.ROUTED
    application.refresh_from_db()
    assert (application.status, application.department) == (Status.ROUTED, service.department)
    event = application.events.get()
    assert (event.from_status, event.to_status, event.actor, event.visible_to_resident) == (
        Status.SUBMITTED,
        Status.ROUTED,
        None,
        True,
    )


def test_route_is_idempotent(service, django_capture_on_commit_callbacks):
    """A second routing of the same application does nothing: it returns None and adds no event or message."""
    application = submitted(service)
    with django_capture_on_commit_callbacks() as first:
        application_route(application_id=application.pk)

    with django_capture_on_commit_callbacks() as second:
        assert application_route(application_id=application.pk) is None

    assert len(first) == 1
    assert second == []
    assert ApplicationEvent.objects.filter(application=application, to_status=Status.ROUTED).count() == 1


@pytest.mark.parametrize("status", [Status.DRAFT, Status.WITHDRAWN, Status.IN_REVIEW])
def test_route_ignores_applications_that_are_not_submitted(service, status, django_capture_on_commit_callbacks):
    """Only 'submitted' applications are routed; any other status is left alone."""
    application = ApplicationFactory(service=service, status=status, department=None)

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

    with mock.patch.object(intake_application, "apply_async") as publish:
        with django_capture_on_commit_callbacks() as callbacks:
            application_route(application_id=application.pk)
        publish.assert_not_called()  # nothing leaves before the commit

        for callback in callbacks:  # the commit
            callback()

    publish.assert_called_once_with((application.pk,), queue="dept.health")


def test_route_task_runs_intake_after_commit(service, django_capture_on_commit_callbacks):
    """In eager mode the routing task routes, then the intake checks run once routing commits."""
    application = submitted(service)

    with django_capture_on_commit_callbacks(execute=True):
        route_application.delay(application.pk)

    application.refresh_from_db()
    assert application.status == Status.ROUTED
    assert application.intake_checked_at is not None


# --- application_intake_check ----------------------------------------------------------------------


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
    assert not second.events.exists()  # nothing in the resident's timeline


def test_intake_ignores_closed_drafts_and_other_services_or_applicants(service, resident, health):
    """Decided, withdrawn and draft applications, other services and other people are not duplicates."""
    for status in (Status.DRAFT, Status.APPROVED, Status.REJECTED, Status.WITHDRAWN):
        ApplicationFactory(applicant=resident, service=service, status=status)
    ApplicationFactory(applicant=resident, service=ServiceFactory(department=health), routed=True)
    ApplicationFactory(service=service, routed=True)
    application = ApplicationFactory(applicant=resident, service=service, routed=True)

    assert application_intake_check(application_id=application.pk) == []
    application.refresh_from_db()
    assert application.intake_checked_at is not None
    with translation.override("en"):
        assert intake_findings_for_display(application=application) == ["No problems found."]


def test_intake_check_is_idempotent(service, resident):
    """Running the intake check again changes nothing."""
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


def test_intake_check_skips_applications_no_longer_routed(service):
    """An application already claimed (or withdrawn) before intake ran is not checked."""
    application = ApplicationFactory(service=service, in_review=True)

    assert application_intake_check(application_id=application.pk) == []
    application.refresh_from_db()
    assert application.intake_checked_at is None
    assert not application.events.exists()


# --- sweep_unrouted -------------------------------------------------------------------------------------


def test_sweep_republishes_only_applications_stuck_past_the_threshold(service, settings):
    """Only applications left 'submitted' longer than ROUTING_SWEEP_AFTER_SECONDS are re-published, oldest first."""
    settings.ROUTING_SWEEP_AFTER_SECONDS = 120
    stuck_older = submitted(service, ago=dt.timedelta(hours=2))
    stuck = submitted(service, ago=dt.timedelta(seconds=121))
    submitted(service, ago=dt.timedelta(seconds=60))  # its message may still be on its way
    ApplicationFactory(service=service, routed=True, submitted_at=timezone.now() - dt.timedelta(hours=3))
    ApplicationFactory(service=service, status=Status.WITHDRAWN, submitted_at=timezone.now() - dt.timedelta(hours=3))

    with mock.patch.object(route_application, "delay") as publish:
        assert sweep_unrouted() == 2

    assert publish.call_args_list == [mock.call(stuck_older.pk), mock.call(stuck.pk)]


def test_sweep_routes_the_stuck_applications(service, settings, django_capture_on_commit_callbacks):
    """In eager mode the sweep's messages route the stuck applications for real."""
    settings.ROUTING_SWEEP_AFTER_SECONDS = 120
    stuck = submitted(service, ago=dt.timedelta(minutes=5))
    fresh = submitted(service)

    with django_capture_on_commit_callbacks(execute=True):
        sweep_unrouted()

    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == Status.ROUTED
    assert fresh.status == Status.SUBMITTED


def test_unrouted_ids_are_capped(service):
    """One sweep publishes at most ``limit`` applications, oldest first."""
    old = [submitted(service, ago=dt.timedelta(hours=h)) for h in (3, 2, 1)]

    assert unrouted_application_ids(older_than=dt.timedelta(minutes=2), limit=2) == [old[0].pk, old[1].pk]


def test_routing_tasks_are_published_to_the_routing_queue():
    """route_application goes to the 'routing' queue, which the routing workers consume."""
    from portal.celery import app

    route = app.amqp.router.route({}, route_application.name, args=(1,), kwargs={})

    assert route["queue"].name == "routing"
