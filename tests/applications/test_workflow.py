"""The transition table: every allowed move succeeds for its actors, every other move or actor is refused."""

import itertools

import pytest
from django.http import Http404

from services.accounts.models import DepartmentMembership
from services.applications.models import ApplicationEvent, Status
from services.applications.workflow import TRANSITIONS, Actor, allowed_moves, application_transition
from services.common.errors import InvalidTransition, NotAllowed
from tests.factories import ApplicationFactory, DepartmentFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.permutations(Status, 2))


def make_actor(kind: str, application):
    """Return a user (or None for the system) holding the named relation to the application."""
    department = application.service.department
    if kind == "system":
        return None
    if kind == "applicant":
        return application.applicant
    if kind == "assignee":
        application.assignee = StaffFactory(department=department)
        application.save(update_fields=["assignee"])
        return application.assignee
    if kind == "caseworker":
        return StaffFactory(department=department)
    if kind == "supervisor":
        return StaffFactory(department=department, department__role=DepartmentMembership.Role.SUPERVISOR)
    if kind == "other_department":
        return StaffFactory(department=DepartmentFactory(code="education", reference_prefix="EDU"))
    if kind == "stranger":
        return UserFactory()
    raise ValueError(kind)


ROLES_OF_KIND = {
    "system": {Actor.SYSTEM},
    "applicant": {Actor.APPLICANT},
    "assignee": {Actor.STAFF, Actor.HANDLER},
    "caseworker": {Actor.STAFF},
    "supervisor": {Actor.STAFF, Actor.HANDLER, Actor.SUPERVISOR},
    "other_department": set(),
    "stranger": set(),
}


def application_in(status):
    return ApplicationFactory.in_status(status)


@pytest.mark.parametrize(("src", "dst"), ALL_PAIRS, ids=lambda s: s.value)
@pytest.mark.parametrize("kind", list(ROLES_OF_KIND))
def test_every_move_for_every_actor(src, dst, kind):
    application = application_in(src)
    by = make_actor(kind, application)
    allowed = TRANSITIONS.get((src, dst))
    if allowed is None:
        with pytest.raises(InvalidTransition):
            application_transition(application=application, to=dst, by=by)
    elif allowed & ROLES_OF_KIND[kind]:
        result = application_transition(application=application, to=dst, by=by, message="m")
        assert result.status == dst
        event = ApplicationEvent.objects.get(application=application)
        assert (event.from_status, event.to_status, event.actor, event.message) == (src, dst, by, "m")
    else:
        # A resident with no role (no mandate to act) is not even told the application exists; staff are refused.
        with pytest.raises(Http404 if kind == "stranger" else NotAllowed):
            application_transition(application=application, to=dst, by=by)
        application.refresh_from_db()
        assert application.status == src
        assert not ApplicationEvent.objects.exists()


def test_the_table_holds_the_documented_lifecycle():
    assert set(TRANSITIONS) == {
        (Status.DRAFT, Status.SUBMITTED),
        (Status.DRAFT, Status.APPROVED),  # granted without applying (免申即享)
        (Status.SUBMITTED, Status.ROUTED),
        (Status.ROUTED, Status.IN_REVIEW),
        (Status.IN_REVIEW, Status.ROUTED),
        (Status.IN_REVIEW, Status.AWAITING_INFORMATION),
        (Status.AWAITING_INFORMATION, Status.IN_REVIEW),
        (Status.IN_REVIEW, Status.APPROVED),
        (Status.IN_REVIEW, Status.REJECTED),
        (Status.IN_REVIEW, Status.IN_REVIEW),  # reassigned by a supervisor
        (Status.AWAITING_INFORMATION, Status.AWAITING_INFORMATION),  # reassigned by a supervisor
        (Status.SUBMITTED, Status.WITHDRAWN),
        (Status.ROUTED, Status.WITHDRAWN),
        (Status.IN_REVIEW, Status.WITHDRAWN),
        (Status.AWAITING_INFORMATION, Status.WITHDRAWN),
    }


def test_staff_never_handle_their_own_application():
    application = application_in(Status.ROUTED)
    department = application.service.department
    DepartmentMembership.objects.create(user=application.applicant, department=department)
    application.applicant.is_staff = True
    application.applicant.save()
    with pytest.raises(NotAllowed):
        application_transition(application=application, to=Status.IN_REVIEW, by=application.applicant)


def test_changes_are_saved_with_the_move():
    application = application_in(Status.ROUTED)
    caseworker = make_actor("caseworker", application)
    application_transition(
        application=application, to=Status.IN_REVIEW, by=caseworker, changes={"assignee": caseworker}
    )
    application.refresh_from_db()
    assert application.assignee == caseworker


def test_allowed_moves_offers_only_what_the_actor_may_do():
    application = application_in(Status.IN_REVIEW)
    assert allowed_moves(application=application, by=make_actor("caseworker", application)) == set()
    assert allowed_moves(application=application, by=make_actor("assignee", application)) == {
        Status.ROUTED,
        Status.AWAITING_INFORMATION,
        Status.APPROVED,
        Status.REJECTED,
    }
    assert allowed_moves(application=application, by=application.applicant) == {Status.WITHDRAWN}
