"""Decisions counted: the one definition of processing time and punctuality, read by the public statistics and the
supervisors' dashboard. Past days come from the summary ``DecisionDay`` (rebuilt by a periodic task), the days since
its rebuild from the applications themselves, so the figures are those of a count of the applications at any time
while no request scans the decided ones."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, Count, F, Q, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from services.calendar.selectors import working_calendar

from .models import DECIDED, Application, DecisionDay

DAYS_KEPT = 120  # the summary's days (the statistics' 90-day window and the dashboard's 8 weeks fit in it)


@dataclass(frozen=True)
class DecisionCount:
    """How many decisions of one service, made on one day, took the same processing time and kept (or missed) the
    due date."""

    service_id: int
    decided_on: dt.date | None  # None: the summary's days taken together (``by_day=False``)
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


def _counted(*, since: dt.date, until: dt.date | None, department_ids: list[int] | None) -> list[DecisionCount]:
    """Count the decisions made from day ``since`` to the day before ``until`` (None: to now) in the applications,
    in one grouped query (and the working calendar)."""
    decided = Application.objects.filter(
        status__in=DECIDED, decided_at__gte=_midnight(since), submitted_at__isnull=False
    )
    if until is not None:
        decided = decided.filter(decided_at__lt=_midnight(until))
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
    *, since: dt.date, department_ids: list[int] | None = None, by_day: bool = True
) -> list[DecisionCount]:
    """Return the decisions made from day ``since`` on (in the departments, or all for None), counted by service, day
    of decision, processing time in working days and punctuality: the summary's days, then the applications decided
    since its rebuild (all of them counted there when the summary is older or does not reach back to ``since``).
    Without ``by_day``, the summary's days are added up in the database (their ``decided_on`` is None)."""
    until = DecisionDay.objects.order_by().values_list("until", flat=True).first()
    if until is None or since < until - dt.timedelta(days=DAYS_KEPT):
        return _counted(since=since, until=None, department_ids=department_ids)
    summary = DecisionDay.objects.filter(day__gte=since)
    if department_ids is not None:
        summary = summary.filter(department_id__in=department_ids)
    columns = ("service_id", "day", "working_days", "on_time") if by_day else ("service_id", "working_days", "on_time")
    rows = summary.values_list(*columns).annotate(n=Sum("n")).order_by()
    counts = [DecisionCount(*row) if by_day else DecisionCount(row[0], None, *row[1:]) for row in rows]
    return counts + _counted(since=max(since, until), until=None, department_ids=department_ids)


@transaction.atomic
def decision_days_refresh(*, today: dt.date) -> int:
    """Rebuild the summary of decisions (``DecisionDay``) of the ``DAYS_KEPT`` days before ``today`` from the
    applications, replacing the previous rows in one transaction (readers see the old summary or the new, never a
    mix); return the rows written."""
    counts = _counted(since=today - dt.timedelta(days=DAYS_KEPT), until=today, department_ids=None)
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
                until=today,
            )
            for count in counts
        ],
        batch_size=2000,
    )
    return len(counts)
