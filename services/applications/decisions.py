"""Decisions counted: the one definition of processing time and punctuality, read by the public statistics and the
supervisors' dashboard. Past days come from the summary ``DecisionDay`` (rebuilt by a periodic task), the days since
its rebuild from the applications themselves, so the figures are those of a count of the applications at any time
while no request scans the decided ones. This month's submissions are counted the same way (``SubmissionDay``)."""

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from services.calendar.selectors import working_calendar

from .models import DECIDED, Application, DecisionDay, SubmissionDay

DAYS_KEPT = 120  # the summary's days (the statistics' 90-day window and the dashboard's 8 weeks fit in it)
SUBMISSION_DAYS_KEPT = 31  # the submissions' summary's days (this month's fit in it)
# A rebuild counts what happened up to this long before it runs: a decision whose transaction is still open when the
# rebuild reads is then counted live, after the summary, instead of by neither until the next rebuild.
SETTLING = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class DecisionCount:
    """How many decisions of one service, made on one day, took the same processing time and kept (or missed) the
    due date."""

    service_id: int
    decided_on: dt.date | None  # a Monday: the summary's days of a week; None: all of them (``decision_counts``)
    working_days: int  # the processing time: working days after the day of submission up to the day of decision
    on_time: bool  # decided by the due date (or it had none)
    n: int
    department_id: int | None = None


def decided_on_time() -> Case:
    """Whether an application was decided by its legal due date (one without a due date is on time), over the
    ``decided_on`` annotation (``TruncDate("decided_at")``): the one definition of on time, in the database."""
    return Case(
        When(Q(due_date__isnull=True) | Q(decided_on__lte=F("due_date")), then=Value(True)), default=Value(False)
    )


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _counted(*, since: dt.datetime, until: dt.datetime | None, department_ids: list[int] | None) -> list[DecisionCount]:
    """Count the decisions made from ``since`` to before ``until`` (None: to now), in the applications, in one
    grouped query (and the working calendar)."""
    decided = Application.objects.filter(status__in=DECIDED, decided_at__gte=since, submitted_at__isnull=False)
    if until is not None:
        decided = decided.filter(decided_at__lt=until)
    if department_ids is not None:
        decided = decided.filter(department_id__in=department_ids)
    groups = (
        decided.annotate(decided_on=TruncDate("decided_at"), submitted_on=TruncDate("submitted_at"))
        .annotate(on_time=decided_on_time())
        .values_list("service_id", "department_id", "decided_on", "submitted_on", "on_time")
        .annotate(n=Count("*"))  # not the id: app_decided_at holds every column read
        .order_by()
    )
    calendar = working_calendar()
    counts: dict[tuple, int] = {}
    for service_id, department_id, decided_on, submitted_on, on_time, n in groups:
        days = calendar.working_days_between(submitted_on, decided_on)
        key = (service_id, decided_on, days, bool(on_time), department_id)
        counts[key] = counts.get(key, 0) + n
    return [DecisionCount(*key[:4], n=n, department_id=key[4]) for key, n in counts.items()]


def decision_counts(
    *, since: dt.date, department_ids: list[int] | None = None, period: Literal["day", "week"] | None = "day"
) -> list[DecisionCount]:
    """Return the decisions made from day ``since`` on (in the departments, or all for None), counted by service, day
    of decision, processing time in working days and punctuality: the summary's days, then the applications decided
    since its rebuild (all of them counted there when the summary is older or does not reach back to ``since``).
    The summary's days are added up in the database by ``period``: by week (their ``decided_on`` is the week's
    Monday, a seventh of the rows for a reader of weeks) or, for None, all together (their ``decided_on`` is None)."""
    until = DecisionDay.objects.order_by().values_list("until", flat=True).first()
    if until is None or since < timezone.localdate(until) - dt.timedelta(days=DAYS_KEPT):
        return _counted(since=_midnight(since), until=None, department_ids=department_ids)
    summary = DecisionDay.objects.filter(day__gte=since)
    if department_ids is not None:
        summary = summary.filter(department_id__in=department_ids)
    day = {"day": ["day"], "week": [TruncWeek("day")], None: []}[period]
    rows = summary.values_list("service_id", *day, "working_days", "on_time").annotate(n=Sum("n")).order_by()
    counts = [DecisionCount(*row) if period else DecisionCount(row[0], None, *row[1:]) for row in rows]
    return counts + _counted(since=max(_midnight(since), until), until=None, department_ids=department_ids)


def _submitted(*, since: dt.datetime, until: dt.datetime | None):
    """Count the applications submitted from ``since`` to before ``until`` (None: to now), by service (and, with
    ``until``, by day of submission)."""
    submitted = Application.objects.filter(submitted_at__gte=since)
    if until is None:
        return submitted.values_list("service_id").annotate(n=Count("*")).order_by()  # app_submitted_service alone
    submitted = submitted.filter(submitted_at__lt=until).annotate(day=TruncDate("submitted_at"))
    return submitted.values_list("service_id", "day").annotate(n=Count("*")).order_by()


def submission_counts(*, since: dt.date) -> dict[int, int]:
    """Return the applications submitted from day ``since`` on, by service: the summary's days, then those submitted
    since its rebuild (all of them from the applications when the summary is older or does not reach ``since``)."""
    until = SubmissionDay.objects.order_by().values_list("until", flat=True).first()
    counts: dict[int, int] = {}
    start = _midnight(since)
    if until is not None and since >= timezone.localdate(until) - dt.timedelta(days=SUBMISSION_DAYS_KEPT):
        summary = SubmissionDay.objects.filter(day__gte=since).values_list("service_id").annotate(n=Sum("n"))
        counts.update(summary.order_by())
        start = max(start, until)
    for service_id, n in _submitted(since=start, until=None):
        counts[service_id] = counts.get(service_id, 0) + n
    return counts


@transaction.atomic
def decision_days_refresh(*, until: dt.datetime | None = None) -> int:
    """Rebuild the summary of decisions (``DecisionDay``) of the ``DAYS_KEPT`` days before ``until``'s day and of that
    day up to ``until`` (by default ``SETTLING`` before now, as the periodic task runs it), and of submissions
    (``SubmissionDay``) of the ``SUBMISSION_DAYS_KEPT`` days, from the applications, replacing the previous rows in
    one transaction (readers see the old summaries or the new, never a mix); return the decisions' rows. What comes
    after ``until`` is counted live, so a reader counts at most the time since the last rebuild from the
    applications, not the whole of today."""
    until = until or timezone.now() - SETTLING
    today = timezone.localdate(until)
    counts = _counted(since=_midnight(today - dt.timedelta(days=DAYS_KEPT)), until=until, department_ids=None)
    DecisionDay.objects.all().delete()
    DecisionDay.objects.bulk_create(
        [
            DecisionDay(
                day=count.decided_on,
                service_id=count.service_id,
                department_id=count.department_id,
                working_days=count.working_days,
                on_time=count.on_time,
                n=count.n,
                until=until,
            )
            for count in counts
        ],
        batch_size=2000,
    )
    submitted = _submitted(since=_midnight(today - dt.timedelta(days=SUBMISSION_DAYS_KEPT)), until=until)
    SubmissionDay.objects.all().delete()
    SubmissionDay.objects.bulk_create(
        [SubmissionDay(day=day, service_id=service_id, n=n, until=until) for service_id, day, n in submitted],
        batch_size=2000,
    )
    return len(counts)
