"""Reads of changes of circumstances: whom a change goes to, who may report one for whom, and where each stands."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from services.applications.models import Application
from services.credentials.models import Credential, State
from services.mandates.models import Mandate

from .models import Acknowledgement, AckStatus, Change

APPLICATION, CREDENTIAL = "application", "credential"


def change_departments(*, user) -> dict[int, list[str]]:
    """Return the departments that have a case for ``user`` now, each with why: an open application (in its queue,
    or its service's department's before routing) and/or an active credential it issued."""
    reasons: dict[int, list[str]] = defaultdict(list)
    open_applications = (
        Application.objects.for_applicant(user)
        .open()
        .annotate(handled_by=Coalesce("department_id", "service__department_id"))
        .values_list("handled_by", flat=True)
        .distinct()
    )
    for department_id in open_applications:
        reasons[department_id].append(APPLICATION)
    now = timezone.now()
    credentials = (
        Credential.objects.filter(holder=user, status=State.ACTIVE)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))
        .values_list("department_id", flat=True)
        .distinct()
    )
    for department_id in credentials:
        reasons[department_id].append(CREDENTIAL)
    return dict(reasons)


def _reporting_mandates(*, agent) -> QuerySet[Mandate]:
    """Mandates in force that let ``agent`` report changes: to apply and act, for every service (a change goes to
    every department with a case, so a mandate for some services or departments does not reach that far)."""
    return Mandate.objects.in_force().filter(grantee=agent, access=Mandate.Access.APPLY, all_services=True)


def change_mandates_for_agent(*, agent) -> list[Mandate]:
    """Return the mandates under which ``agent`` may report changes for someone, one per person."""
    by_person = {m.grantor_id: m for m in _reporting_mandates(agent=agent).select_related("grantor__profile")}
    return list(by_person.values())


def change_subject_for(*, user, on_behalf_of=None) -> tuple:
    """Return whom ``user`` reports for, and under which mandate: themselves (None), or the person of a mandate in
    force of theirs given by its public id; any other id (ended, out of scope, someone else's) is a 404."""
    if not on_behalf_of:
        return user, None
    mandate = _reporting_mandates(agent=user).select_related("grantor__profile").filter(public_id=on_behalf_of).first()
    if mandate is None:
        raise Http404("No mandate")
    return mandate.grantor, mandate


def _visible_to(user) -> Q:
    """Changes about the user, or about a person they may report for."""
    grantors = _reporting_mandates(agent=user).values("grantor_id")
    return Q(user=user) | Q(user_id__in=grantors)


def change_list_for_user(*, user) -> list[Change]:
    """Return the user's changes and those of the people they report for, newest first, each with where it stands
    per department (two queries)."""
    acknowledgements = Acknowledgement.objects.select_related("department").order_by("department__code")
    changes = Change.objects.filter(_visible_to(user)).select_related("user__profile")
    return list(changes.prefetch_related(Prefetch("acknowledgements", queryset=acknowledgements)))


def change_get_for_user(*, user, public_id) -> Change:
    """Return one of the changes ``user`` may see (see change_list_for_user); anyone else's is a 404."""
    acknowledgements = Acknowledgement.objects.select_related("department").order_by("department__code")
    change = (
        Change.objects.filter(_visible_to(user), public_id=public_id)
        .select_related("user__profile", "evidence__document_type")
        .prefetch_related(Prefetch("acknowledgements", queryset=acknowledgements))
        .first()
    )
    if change is None:
        raise Http404("No change")
    return change


def acknowledgements_for_department(*, user, department_id: int) -> list[Acknowledgement]:
    """Return the changes ``user`` (an applicant) reported that reached ``department_id``, newest first: what the
    department's caseworkers see beside the applicant's answers."""
    return list(
        Acknowledgement.objects.filter(change__user=user, department_id=department_id)
        .select_related("change")
        .order_by("-created_at")
    )


def acknowledgement_get_for_department(*, department_id: int, public_id) -> Acknowledgement:
    """Return the acknowledgement of the change ``public_id`` at ``department_id``; a 404 if it was not told."""
    acknowledgement = (
        Acknowledgement.objects.filter(department_id=department_id, change__public_id=public_id)
        .select_related("change", "department")
        .first()
    )
    if acknowledgement is None:
        raise Http404("No such change for this department")
    return acknowledgement


def acknowledgements_to_escalate(*, today: dt.date, calendar, after_working_days: int) -> list[int]:
    """Return the ids of pending, unescalated acknowledgements whose department let ``after_working_days`` working
    days (``calendar``: services.calendar's) pass after the day the change reached it, by ``today``."""
    # N working days take at least N calendar days: only rows older than that can be late (the partial index).
    candidates = Acknowledgement.objects.filter(
        status=AckStatus.PENDING,
        escalated_at=None,
        created_at__lt=timezone.make_aware(
            dt.datetime.combine(today - dt.timedelta(days=after_working_days), dt.time())
        ),
    ).values_list("pk", "created_at")
    return [
        pk
        for pk, created_at in candidates
        if calendar.add_working_days(timezone.localdate(created_at), after_working_days) < today
    ]


def unacknowledged_by_department() -> list[dict]:
    """Return, per department with changes it has not acknowledged, how many are pending and how many of those were
    escalated (for the city view), by department code; one grouped query."""
    rows = (
        Acknowledgement.objects.filter(status=AckStatus.PENDING)
        .values("department__code", "department__name_zh", "department__name_en")
        .annotate(pending=Count("pk"), escalated=Count("pk", filter=Q(escalated_at__isnull=False)))
        .order_by("department__code")
    )
    return [
        {
            "department": row["department__code"],
            "name_zh": row["department__name_zh"],
            "name_en": row["department__name_en"],
            "pending": row["pending"],
            "escalated": row["escalated"],
        }
        for row in rows
    ]
