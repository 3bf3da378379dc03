"""Reads of the caseworker workspace: the queue's filters, the supervisors' figures, bulk actions' progress (the
export: exports.py)."""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language

from services.accounts.models import DepartmentMembership, User
from services.applications.backlog import open_counted
from services.applications.decisions import decision_counts
from services.applications.models import OpenCount, Status, overdue_q
from services.catalogue.models import Department, Service
from services.common.numbers import median_of_counts
from services.routing.models import Team

from .models import BulkJob, BulkJobItem

FILTER_CHOICES_SECONDS = 60  # a new team or service shows in the queue's filters within a minute


def queue_filter_choices(*, model: type[Team] | type[Service], department_ids: list[int] | None) -> list[tuple]:
    """Return the teams or services of the departments (all of them for None) as (id, name) choices for the queue's
    filters, in the current language; kept a minute in the cache, as every page of the queue shows them."""
    departments = "all" if department_ids is None else ",".join(map(str, sorted(department_ids)))
    key = f"caseworker:filter:{model._meta.label_lower}:{departments}:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        rows = _named(model)
        if department_ids is not None:
            rows = rows.filter(department_id__in=department_ids)
        choices = [(row.pk, str(row)) for row in rows]
        cache.set(key, choices, FILTER_CHOICES_SECONDS)
    return choices


def queue_names(*, model: type[Team] | type[Service], choices: list[tuple], ids: set[int]) -> dict:
    """Return the names of these teams or services by id, as the queue's filters name them: from the filters'
    ``choices`` (queue_filter_choices, up to a minute old), those of another department read."""
    names = dict(choices)
    missing = ids - names.keys()
    if missing:
        names.update((row.pk, str(row)) for row in _named(model).filter(pk__in=missing))
    return names


def _named(model: type[Team] | type[Service]):
    """The rows of teams or services with what their names need (a team's department)."""
    return model.objects.select_related("department") if model is Team else model.objects.all()


# --- The supervisors' dashboard ------------------------------------------------------------------------------


def backlog_by_team(*, department_ids: list[int], today: dt.date) -> list[dict]:
    """Return each team queue's open applications (and, per department, those in no team): by status, unassigned
    and overdue (summed from their kept counts, services.applications.backlog, without reading the applications)."""
    counts = (
        OpenCount.objects.filter(department_id__in=department_ids)
        .values("department_id", "team_id")
        .annotate(
            routed=open_counted(Q(status=Status.ROUTED)),
            in_review=open_counted(Q(status=Status.IN_REVIEW)),
            awaiting=open_counted(Q(status=Status.AWAITING_INFORMATION)),
            unassigned=open_counted(Q(assignee__isnull=True)),
            overdue=open_counted(overdue_q(today)),
        )
        .order_by()
    )
    by_queue = {(row["department_id"], row["team_id"]): row for row in counts}
    queues = [(team.department, team) for team in Team.objects.filter(department_id__in=department_ids)]
    queues += [(department, None) for department in Department.objects.filter(pk__in=department_ids)]
    empty = {"routed": 0, "in_review": 0, "awaiting": 0, "unassigned": 0, "overdue": 0}
    return [
        {"department": department, "team": team, **empty, **by_queue.get((department.pk, team and team.pk), {})}
        for department, team in sorted(queues, key=lambda q: (q[0].code, q[1] is None, q[1] and q[1].code))
    ]


def caseworker_workload(*, department_ids: list[int], today: dt.date) -> list[dict]:
    """Return the departments' active staff with their open applications in review, awaiting information, and
    overdue, the busiest first (summed from the open applications' kept counts)."""
    loads = (
        OpenCount.objects.filter(
            department_id__in=department_ids,
            status__in=(Status.IN_REVIEW, Status.AWAITING_INFORMATION),
            assignee__isnull=False,
        )
        .values("assignee_id")
        .annotate(
            in_review=open_counted(Q(status=Status.IN_REVIEW)),
            awaiting=open_counted(Q(status=Status.AWAITING_INFORMATION)),
            overdue=open_counted(overdue_q(today)),
        )
        .order_by()
    )
    by_person = {row.pop("assignee_id"): row for row in loads}
    # The members' ids first, then their rows by id: as a subquery, PostgreSQL merge-joined them with every user in
    # id order, reading the 100,000 residents' rows to find the few staff (12-16 ms, a third of the page's queries).
    members = DepartmentMembership.objects.filter(department_id__in=department_ids)
    staff = list(members.values_list("user_id", flat=True))
    people = User.objects.filter(pk__in=staff, is_active=True).order_by("email")
    empty = {"in_review": 0, "awaiting": 0, "overdue": 0}
    workload = [{"person": person, **empty, **by_person.get(person.pk, {})} for person in people]
    return sorted(workload, key=lambda row: (-row["in_review"], -row["awaiting"]))


@dataclass(frozen=True)
class WeekFigures:
    week: dt.date  # its Monday
    decided: int
    on_time: int
    median_days: float | None  # working days from submission to decision (applications.decisions.decision_counts)

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.decided) if self.decided else None


def service_performance(*, department_ids: list[int], today: dt.date, weeks: int = 8) -> list[dict]:
    """Return, per service with decisions in the last ``weeks`` weeks (this one included), each week's decisions,
    how many were made by the due date, and the median working days from submission to decision, as the public
    statistics count them. Counted in the database by service, day and punctuality, so the rows read stay few
    however many were decided."""
    first_monday = today - dt.timedelta(days=today.weekday(), weeks=weeks - 1)
    tallies: dict[int, dict[dt.date, dict]] = {}
    for decisions in decision_counts(since=first_monday, department_ids=department_ids, period="week"):
        week = decisions.decided_on - dt.timedelta(days=decisions.decided_on.weekday())
        tally = tallies.setdefault(decisions.service_id, {}).setdefault(week, {"decided": 0, "on_time": 0, "days": {}})
        tally["decided"] += decisions.n
        tally["on_time"] += decisions.n if decisions.on_time else 0
        tally["days"][decisions.working_days] = tally["days"].get(decisions.working_days, 0) + decisions.n
    services = Service.objects.only("title_zh", "title_en").in_bulk(tallies)  # not the forms' JSON
    mondays = [first_monday + dt.timedelta(weeks=n) for n in range(weeks)]
    performance = []
    for service_id, by_week in tallies.items():
        empty = {"decided": 0, "on_time": 0, "days": {}}
        figures = [
            WeekFigures(
                week=monday,
                decided=by_week.get(monday, empty)["decided"],
                on_time=by_week.get(monday, empty)["on_time"],
                median_days=median_of_counts(by_week.get(monday, empty)["days"]),
            )
            for monday in mondays
        ]
        performance.append({"service": services[service_id], "weeks": figures})
    return sorted(performance, key=lambda row: row["service"].title)


BULK_ITEMS_SHOWN = 500  # a progress page lists this many items at most: those not done first


def bulk_job_for_user(*, public_id, user) -> BulkJob | None:
    """Return the bulk action ``user`` started (anyone else's is None: a 404)."""
    return BulkJob.objects.select_related("assignee").filter(public_id=public_id, created_by=user).first()


def bulk_job_progress(*, job: BulkJob) -> dict:
    """Return a bulk action's counts by result and its items (not done first, then waiting, then done, at most
    BULK_ITEMS_SHOWN) with their applications' references."""
    counts = dict(job.items.values_list("result").annotate(n=Count("pk")).order_by())
    order = {BulkJobItem.Result.FAILED: 0, BulkJobItem.Result.PENDING: 1, BulkJobItem.Result.DONE: 2}
    items = []
    for result in sorted(order, key=order.get):  # three index walks, each stopping at the page's size
        room = BULK_ITEMS_SHOWN - len(items)
        if room > 0:
            chosen = BulkJobItem.objects.filter(job=job, result=result).order_by("pk")[:room]
            items += chosen.select_related("application").only(
                "result", "message", "application", "application__reference"
            )
    done, failed = counts.get(BulkJobItem.Result.DONE, 0), counts.get(BulkJobItem.Result.FAILED, 0)
    return {"done": done, "failed": failed, "finished": done + failed, "items": items}


def stalled_bulk_job_ids(*, older_than: dt.timedelta) -> list[int]:
    """Return the bulk actions unfinished and untouched for longer than ``older_than`` (their message or worker
    was lost)."""
    stale = timezone.now() - older_than
    unfinished = [BulkJob.Status.PENDING, BulkJob.Status.RUNNING]
    return list(BulkJob.objects.filter(status__in=unfinished, updated_at__lt=stale).values_list("pk", flat=True))
