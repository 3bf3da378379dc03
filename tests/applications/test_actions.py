"""The application actions called by the web, the API, the admin and tasks."""

import threading

import pytest
from django.db import connection
from django.utils import timezone, translation

from services.applications.actions import (
    application_claim,
    application_create_draft,
    application_decide,
    application_submit,
)
from services.applications.models import Application, ApplicationEvent, Status
from services.common.errors import InvalidTransition, NotAllowed, ValidationFailed
from services.notifications.models import Channel as NotificationChannel
from services.notifications.models import Event, Notification
from tests.conftest import unavailable
from tests.factories import VALID_ANSWERS, ApplicationFactory, ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db


# --- application_create_draft --------------------------------------------------------------------


def test_create_draft_gives_a_department_reference(service, resident):
    """A draft gets the reference PREFIX-YEAR-NNNNNN from its department and its own id."""
    application = application_create_draft(applicant=resident, service=service, answers={"full_name": "Li"})

    assert application.status == Status.DRAFT
    assert application.reference == f"HLT-{timezone.localdate().year}-{application.pk:06d}"
    assert application.answers == {"full_name": "Li"}
    assert Application.objects.get(pk=application.pk).reference == application.reference


def test_create_draft_refuses_an_inactive_service(health, resident):
    """No draft is created for a service that is closed for applications."""
    closed = ServiceFactory(department=health, is_active=False)

    with pytest.raises(NotAllowed):
        application_create_draft(applicant=resident, service=closed)

    assert not Application.objects.exists()


def test_create_draft_refuses_invalid_answers(service, resident):
    """A draft may be incomplete but never wrong: a bad answer is refused with its field named."""
    with pytest.raises(ValidationFailed) as raised:
        application_create_draft(applicant=resident, service=service, answers={"children": 99, "nonsense": 1})

    assert set(raised.value.errors) == {"children", "nonsense"}  # the unknown question named where it is
    assert not Application.objects.exists()


# --- application_submit ---------------------------------------------------------------------------


def test_submit_refuses_incomplete_answers(service, resident):
    """Submitting unanswered required questions names them and leaves the draft as it was."""
    draft = application_create_draft(applicant=resident, service=service, answers={"full_name": "Li"})

    with pytest.raises(ValidationFailed) as raised:
        application_submit(application=draft, by=resident)

    assert set(raised.value.errors) == {"start_date", "urgent"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.submitted_at is None
    assert not ApplicationEvent.objects.exists()


def test_submit_queues_routing_only_on_commit(service, resident, django_capture_on_commit_callbacks):
    """Submit saves 'submitted' and queues routing for after the commit, which then routes it."""
    draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)

    with django_capture_on_commit_callbacks() as callbacks:
        application_submit(application=draft, by=resident)
        draft.refresh_from_db()
        assert draft.status == Status.SUBMITTED  # nothing routed before the commit

    assert len(callbacks) == 1  # the routing (which tells the resident of the submission first)
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.submitted_at is not None
    assert not Notification.objects.filter(recipient=resident).exists()

    with django_capture_on_commit_callbacks(execute=True):
        callbacks[-1]()
    draft.refresh_from_db()
    assert draft.status == Status.ROUTED
    assert draft.department == service.department
    told = Notification.objects.filter(recipient=resident, channel=NotificationChannel.IN_APP)
    assert sorted(told.values_list("event", flat=True)) == sorted([Event.SUBMITTED, Event.ROUTED])


def test_submit_by_someone_else_is_refused_and_queues_nothing(
    service, resident, health_caseworker, django_capture_on_commit_callbacks
):
    """Only the applicant submits; a refused submit queues no routing."""
    draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(NotAllowed):
        application_submit(application=draft, by=health_caseworker)

    assert callbacks == []
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


# --- application_decide ---------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reject_requires_a_reason(health_caseworker, service, reason):
    """A rejection without a reason is refused and the application stays in review."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    with pytest.raises(ValidationFailed) as raised:
        application_decide(application=application, by=health_caseworker, approve=False, reason=reason)

    assert "reason" in raised.value.errors
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW


def test_reject_with_a_reason_records_it_for_the_resident(health_caseworker, service):
    """A rejection stores the reason, the decision time, and a resident-visible event."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    result = application_decide(application=application, by=health_caseworker, approve=False, reason="Too late.")

    assert (result.status, result.decision_reason) == (Status.REJECTED, "Too late.")
    assert result.decided_at is not None
    event = application.events.get()
    assert (event.to_status, event.message, event.visible_to_resident) == (Status.REJECTED, "Too late.", True)


def test_approve_needs_no_reason(health_caseworker, service):
    """Approval without a reason is fine."""
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)

    result = application_decide(application=application, by=health_caseworker, approve=True)

    assert result.status == Status.APPROVED


# --- application_claim ----------------------------------------------------------------------------


def test_claim_assigns_the_caseworker(health_caseworker, service):
    """Claiming a routed application puts it in review, assigned to the caseworker."""
    application = ApplicationFactory(service=service, routed=True)

    result = application_claim(application=application, by=health_caseworker)

    assert (result.status, result.assignee) == (Status.IN_REVIEW, health_caseworker)


def test_claim_race_has_exactly_one_winner(health, health_caseworker, service):
    """Two caseworkers claiming from the same (stale) page: the first wins, the second is refused."""
    application = ApplicationFactory(service=service, routed=True)
    colleague = StaffFactory(department=health)
    seen_by_first = Application.objects.get(pk=application.pk)
    seen_by_second = Application.objects.get(pk=application.pk)

    application_claim(application=seen_by_first, by=health_caseworker)
    with translation.override("en"), pytest.raises(InvalidTransition, match="Another caseworker has already claimed"):
        application_claim(application=seen_by_second, by=colleague)

    application.refresh_from_db()
    assert (application.status, application.assignee) == (Status.IN_REVIEW, health_caseworker)
    assert application.events.count() == 1


def test_claim_by_another_department_is_not_allowed(education_caseworker, service):
    """A caseworker of another department may not claim."""
    application = ApplicationFactory(service=service, routed=True)

    with pytest.raises(NotAllowed):
        application_claim(application=application, by=education_caseworker)


CLAIMERS, ROUNDS = 20, 100


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_postgresql_have_exactly_one_winner(health, service):
    """20 caseworkers, each on a connection of their own, press Claim on the same page at the same moment, 100
    times over: every time exactly one wins, the others are told someone else has it, one event is written."""
    if connection.vendor != "postgresql":
        unavailable("a real claim race needs PostgreSQL row locks: set DATABASE_URL=postgres://...")
    caseworkers = [StaffFactory(department=health) for _ in range(CLAIMERS)]
    applications = ApplicationFactory.create_batch(ROUNDS, service=service, routed=True)
    start, done = threading.Barrier(CLAIMERS + 1), threading.Barrier(CLAIMERS + 1)
    outcomes: dict[int, list[str]] = {application.pk: [] for application in applications}
    lock = threading.Lock()

    def claimer(index, caseworker):
        translation.activate("en")  # each thread has its own active language
        try:
            for application in applications:
                start.wait()
                try:
                    # half as the admin posts it (with the version its page showed), half without: the row lock alone
                    version = application.version if index % 2 else None
                    application_claim(application=application, by=caseworker, version=version)
                    outcome = "won"
                except InvalidTransition as exc:
                    outcome = "lost" if "Another caseworker has already claimed" in str(exc) else str(exc)
                with lock:
                    outcomes[application.pk].append(outcome)
                done.wait()
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=claimer, args=(i, c)) for i, c in enumerate(caseworkers)]
    for thread in threads:
        thread.start()
    for _ in applications:
        start.wait(timeout=30)
        done.wait(timeout=30)
    for thread in threads:
        thread.join(timeout=30)

    assert all(sorted(results) == ["lost"] * (CLAIMERS - 1) + ["won"] for results in outcomes.values()), outcomes
    claimed = Application.objects.filter(pk__in=outcomes).values_list("status", "assignee", "version")
    assert {(status, version) for status, _assignee, version in claimed} == {(Status.IN_REVIEW, 1)}
    assert {assignee for _status, assignee, _version in claimed} <= {c.pk for c in caseworkers}
    assert ApplicationEvent.objects.filter(application__in=applications).count() == ROUNDS
