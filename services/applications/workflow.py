"""The application lifecycle: every allowed move, who may make it, and the one function that makes it.

draft → submitted → routed → in_review ⇄ awaiting_information → approved | rejected,
in_review → routed (released back to the queue), and withdrawn by the applicant before a decision; a draft made
by a proactive rule that grants without applying (services.proactive) is approved by the system at once.
A supervisor reassigns an application in review or awaiting information without changing its status.
"""

import enum
from functools import partial

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.permissions import StaffScope, staff_scope_for
from services.common.bulk import rows_update
from services.common.errors import InvalidTransition, NotAllowed
from services.common.statements import Statement, row_insert, row_update
from services.common.tasks import publish_coalesced
from services.mandates.selectors import mandate_for

from .deadlines import deadline_clock_changes
from .models import OPEN_STATUSES, Application, ApplicationEvent, Status
from .notifications import notify_agent_act, notify_application_event, notify_application_events
from .outbox import application_event_record, application_events_record


class Actor(enum.Enum):
    APPLICANT = "applicant"  # the resident who owns the application
    SYSTEM = "system"  # a background task (by=None)
    STAFF = "staff"  # any caseworker of the application's department
    HANDLER = "handler"  # the assigned caseworker, or a supervisor of the department
    SUPERVISOR = "supervisor"  # a supervisor of the department (or an administrator): assigns work


TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    (Status.DRAFT, Status.SUBMITTED): frozenset({Actor.APPLICANT}),
    # Granted without applying (免申即享): a proactive rule of the department found the person entitled.
    (Status.DRAFT, Status.APPROVED): frozenset({Actor.SYSTEM}),
    (Status.SUBMITTED, Status.ROUTED): frozenset({Actor.SYSTEM}),
    (Status.ROUTED, Status.IN_REVIEW): frozenset({Actor.STAFF, Actor.SYSTEM}),  # claimed, or assigned by intake
    (Status.IN_REVIEW, Status.ROUTED): frozenset({Actor.HANDLER}),
    (Status.IN_REVIEW, Status.AWAITING_INFORMATION): frozenset({Actor.HANDLER}),
    (Status.AWAITING_INFORMATION, Status.IN_REVIEW): frozenset({Actor.APPLICANT}),
    (Status.IN_REVIEW, Status.APPROVED): frozenset({Actor.HANDLER}),
    (Status.IN_REVIEW, Status.REJECTED): frozenset({Actor.HANDLER}),
    (Status.IN_REVIEW, Status.IN_REVIEW): frozenset({Actor.SUPERVISOR}),  # reassigned
    (Status.AWAITING_INFORMATION, Status.AWAITING_INFORMATION): frozenset({Actor.SUPERVISOR}),  # reassigned
    **{(status, Status.WITHDRAWN): frozenset({Actor.APPLICANT}) for status in OPEN_STATUSES},
}


def actor_roles(*, application: Application, by, scope: StaffScope | None = None) -> set[Actor]:
    """Return the roles ``by`` holds towards the application (None is the system); ``scope``: their staff scope,
    when the caller has it already."""
    if by is None:
        return {Actor.SYSTEM}
    if by.pk == application.applicant_id:
        return {Actor.APPLICANT}  # nobody handles their own application, staff included
    if not by.is_staff:  # a resident acting for the applicant under a mandate in force (staff never act as agents)
        mandate = mandate_for(grantee=by, grantor_id=application.applicant_id, service=application.service)
        return {Actor.APPLICANT} if mandate is not None else set()
    if application.department_id is None:
        return set()
    scope = staff_scope_for(user=by) if scope is None else scope
    if scope.supervises(application.department_id):
        return {Actor.STAFF, Actor.HANDLER, Actor.SUPERVISOR}
    if not scope.works_in(application.department_id):
        return set()
    return {Actor.STAFF, Actor.HANDLER} if by.pk == application.assignee_id else {Actor.STAFF}


def refuse(*, by, roles: set[Actor], message: str = "") -> None:
    """Refuse a change to an application: a resident holding no role towards it (an agent whose mandate lets them
    only read it) acts outside the mandate's scope, which is a "not found" like another person's application; anyone
    else is told they may not."""
    if by is not None and not by.is_staff and not roles:
        raise Http404("No mandate to act on this application")
    raise NotAllowed(message or _("You may not make this change to this application."))


def allowed_moves(*, application: Application, by, roles: set[Actor] | None = None) -> set[Status]:
    """Return the statuses ``by`` could move the application to now (to offer only usable buttons); ``roles``:
    their actor_roles, when the caller has them already."""
    roles = actor_roles(application=application, by=by) if roles is None else roles
    return {to for (src, to), allowed in TRANSITIONS.items() if src == application.status and allowed & roles}


def assignment_status(*, application: Application) -> Status:
    """Return the status an assignment leaves the application in: routed goes into review, the others stay put."""
    return Status.IN_REVIEW if application.status == Status.ROUTED else application.status


# Related rows the caller has usually loaded already (the event's notification reads them again).
REUSED_RELATIONS = ("service", "applicant", "form_version", "department")


def _reuse_loaded_relations(*, source: Application, target: Application) -> None:
    """Give the freshly locked row the related objects the caller's copy already holds, where they still match."""
    for name in REUSED_RELATIONS:
        field = Application._meta.get_field(name)
        if field.is_cached(source) and getattr(source, field.attname) == getattr(target, field.attname):
            field.set_cached_value(target, field.get_cached_value(source))


def application_transition(
    *,
    application: Application,
    to: Status,
    by,
    message: str = "",
    note: str = "",
    visible_to_resident: bool = True,
    changes: dict | None = None,
    version: int | None = None,
    notice: dict | None = None,
    announce: bool = True,
) -> Application:
    """Move the application to ``to`` under a row lock, apply ``changes``, and record the event; ``notice`` adds
    to what the resident's message about the move shows (e.g. the items an information request asks for);
    ``announce=False`` leaves the move's messages and outbox event to its next move (see announce_pending).

    ``version`` is the one the actor's page showed: if it has moved on since, the move is refused, not made over it.

    The legal clock stops while the resident is asked for information and the due date moves on by the
    working days it stood still (``deadlines.deadline_clock_changes``). Raises InvalidTransition when the
    current status or version does not allow the move (another caseworker was first) and NotAllowed when ``by``
    may not make it.
    """
    changes = changes or {}
    with transaction.atomic():
        found = _LOCKED.objects(application.pk)
        if not found:
            raise Application.DoesNotExist("Application matching query does not exist.")
        locked = found[0]
        _reuse_loaded_relations(source=application, target=locked)
        roles = _check_move(locked=locked, seen=application.status, to=to, by=by, version=version)
        announce_pending(applications=[locked])
        from_status, fields = _apply_move(locked=locked, to=to, changes=changes)
        row_update(locked, fields)
        _record_event(roles=roles, notice=notice, application=locked, actor=by, from_status=from_status, to_status=to,
                      message=message, note=note, visible_to_resident=visible_to_resident,
                      announce=announce)  # fmt: skip
    return locked


# The row every move locks first, built once per process (through the ORM each time it was about 0.6 ms of CPU).
_LOCKED = Statement(Application, lambda pk: Application.objects.select_for_update().filter(pk=pk))


def applications_transition_locked(
    *, applications: list[Application], to: Status, by, changes: dict[int, dict], visible_to_resident: bool = True
) -> list[Application]:
    """Make one move on many applications the caller has locked in its transaction, by application_transition's
    rules, in a few statements: one UPDATE, one INSERT of their events, one of their notifications and one of their
    outbox events (``changes``: each application's own, by id), those of the submissions still to be told of first
    (one read, one UPDATE). Raises as application_transition does."""
    events, acted_for, fields, now = [], [], set(), timezone.now()
    pending = _pending_announcements(applications=applications)  # told first, in the same inserts
    for application in applications:
        roles = _check_move(locked=application, seen=application.status, to=to, by=by, version=None)
        if Actor.APPLICANT in roles and by is not None and by.pk != application.applicant_id:
            acted_for.append(len(events))  # an agent's act: the person it is for is told
        from_status, updated = _apply_move(locked=application, to=to, changes=changes.get(application.pk, {}))
        application.updated_at = now  # a bulk update runs no auto_now
        fields.update(updated)
        events.append(ApplicationEvent(application=application, actor=by, from_status=from_status, to_status=to,
                                       visible_to_resident=visible_to_resident))  # fmt: skip
    if applications:
        rows_update(objects=applications, fields=sorted(fields))
        ApplicationEvent.objects.bulk_create(events)
        notify_application_events(events=pending + events)
        for position in acted_for:
            notify_agent_act(event=events[position])
        application_events_record(events=pending + events)
    return applications


def application_first_move(
    *, application: Application, to: Status, by, changes: dict, announce: bool = True
) -> ApplicationEvent:
    """Make the first move of an application created in the caller's transaction (a draft submitted as it is
    created): the table's check of the move and the actor, one insert of the row as it is after the move (or one
    update, if it is inserted already) and the event with its messages (``announce``), as application_transition;
    no other request can see the row yet, so it takes no lock and reads nothing back."""
    roles = _check_move(locked=application, seen=application.status, to=to, by=by, version=None)
    from_status, fields = _apply_move(locked=application, to=to, changes=changes)
    new = application._state.adding
    if not new:
        application.save(update_fields=fields)
    return _record_event(roles=roles, notice=None, application=application, actor=by, from_status=from_status,
                         to_status=to, announce=announce, inserted_first=(application,) if new else ())  # fmt: skip


def _check_move(*, locked: Application, seen: str, to: Status, by, version: int | None) -> set[Actor]:
    """Check that ``by`` may move the locked application to ``to`` now (``seen``: the status the caller saw); return
    their roles. Raises InvalidTransition or NotAllowed."""
    if version is not None and locked.version != version:
        raise InvalidTransition(
            _("%(reference)s has changed since your page was loaded (it is now “%(current)s”). Look at it again "
              "before you act.") % {"reference": locked.reference, "current": Status(locked.status).label}
        )  # fmt: skip
    # Staying in a status (a reassignment) is only for a caller who saw that status: a claim or an
    # answer that lost a race must not turn into one.
    lost_race = to == locked.status != seen
    allowed = None if lost_race else TRANSITIONS.get((locked.status, to))
    if allowed is None:
        raise InvalidTransition(
            _("This application is now “%(current)s”, so it cannot become “%(to)s”.")
            % {"current": Status(locked.status).label, "to": Status(to).label}
        )
    roles = actor_roles(application=locked, by=by)
    if not allowed & roles:
        refuse(by=by, roles=roles)
    return roles


def _apply_move(*, locked: Application, to: Status, changes: dict) -> tuple[str, list[str]]:
    """Set the new status, version and ``changes`` (and the legal clock's) on the row; return the status it left
    and the fields to save."""
    from_status = locked.status
    if from_status != to:
        changes = {**deadline_clock_changes(application=locked, to=to), **changes}
    locked.status, locked.version = to, locked.version + 1
    for field, value in changes.items():
        setattr(locked, field, value)
    return from_status, ["status", "version", "updated_at", *changes]


def _record_event(
    *, roles: set[Actor], notice: dict | None, announce: bool = True, inserted_first: tuple = (), **fields
) -> ApplicationEvent:
    """Write the move's timeline event and tell of it in its transaction (all of it goes out after commit): the
    notifications of whom it concerns, the person an agent acted for, and the outbox event for the departments'
    systems; unless ``announce`` is False: then the application's next move tells of it first (announce_pending).
    ``inserted_first``: new rows inserted just before the event (in its round trip: row_insert)."""
    event = ApplicationEvent(**fields, announced=announce)
    row_insert(*inserted_first, event)
    if not announce:
        return event
    notify_application_event(event=event, notice=notice)
    if Actor.APPLICANT in roles and event.actor_id != event.application.applicant_id:
        notify_agent_act(event=event)  # the person it is for is told of every act made for them
    application_event_record(event=event)
    return event


def announce_pending(*, applications: list[Application]) -> None:
    """Tell of the submissions among the locked ``applications`` whose messages and outbox event were left to their
    next move (a withdrawal, a routing that failed), before the move's own."""
    events = _pending_announcements(applications=applications)
    if events:
        notify_application_events(events=events)
        application_events_record(events=events)


def _pending_announcements(*, applications: list[Application]) -> list[ApplicationEvent]:
    """Return the submissions' events among the locked ``applications`` still to be told of (a submission answers
    sooner: its routing, in its batch, or its next move tells of it), marked as told in the caller's transaction, so
    that each is told exactly once, and before the move that follows it."""
    submitted = {application.pk: application for application in applications if application.status == Status.SUBMITTED}
    if not submitted:
        return []
    events = list(ApplicationEvent.objects.filter(application_id__in=submitted, announced=False).order_by("pk"))
    for event in events:
        event.application = submitted[event.application_id]
    if events:
        ApplicationEvent.objects.filter(pk__in=[event.pk for event in events]).update(announced=True)
    return events


def routing_publish_on_commit(*, application: Application) -> None:
    """Publish the routing of a submitted application once the transaction commits: services.routing routes them in
    batches, so one message is published while one is waiting (the sweep covers a lost one)."""
    publish = partial(
        publish_coalesced,
        "services.routing.tasks.route_submitted",
        seconds=settings.ROUTING_WAKE_SECONDS,
        reference=application.reference,  # named in the log if the broker is down
    )
    transaction.on_commit(publish)
