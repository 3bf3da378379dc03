"""Decisions counted from the summary of past days (DecisionDay) and the applications decided since its rebuild are
the decisions counted from the applications alone, before the rebuild, after it and after a decision made since."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from services.applications.decisions import (
    DAYS_KEPT,
    SETTLING,
    SUBMISSION_DAYS_KEPT,
    decision_counts,
    decision_days_refresh,
    submission_counts,
)
from services.applications.models import Application, DecisionDay, SubmissionDay
from services.applications.tasks import refresh_decision_days
from tests.factories import ApplicationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _decided(service, *, days_ago: int, took: int, late: bool = False):
    today = timezone.localdate()
    decided = today - dt.timedelta(days=days_ago)
    return ApplicationFactory(
        service=service,
        approved=True,
        submitted_at=_at(decided - dt.timedelta(days=took)),
        decided_at=_at(decided, hour=0 if days_ago == 0 else 10),
        due_date=decided - dt.timedelta(days=1) if late else decided,
    )


def _counted(**kwargs) -> Counter:
    counts = Counter()
    for count in decision_counts(**kwargs):
        counts[count.service_id, count.decided_on, count.working_days, count.on_time] += count.n
    return counts


@pytest.fixture
def decisions(service, health, education):
    other = ServiceFactory(department=education)
    for days_ago, took, late in ((0, 3, False), (1, 2, True), (1, 2, True), (7, 10, False), (60, 1, False)):
        _decided(service, days_ago=days_ago, took=took, late=late)
    _decided(other, days_ago=2, took=4)
    _decided(service, days_ago=DAYS_KEPT + 5, took=1)  # older than the summary keeps
    return {"health": health, "education": education, "service": service}


@pytest.mark.parametrize("departments", ["all", "health"])
def test_the_summary_and_the_days_since_count_what_the_applications_count(decisions, departments):
    """The same counts from the applications alone (no summary), then with the summary rebuilt, then with a decision
    made after the rebuild, for every department and for one."""
    today = timezone.localdate()
    department_ids = None if departments == "all" else [decisions["health"].pk]
    since = today - dt.timedelta(days=89)
    before = _counted(since=since, department_ids=department_ids)

    rows = decision_days_refresh(until=_at(today, hour=0))

    assert rows and set(DecisionDay.objects.values_list("until", flat=True)) == {_at(today, hour=0)}
    assert _counted(since=since, department_ids=department_ids) == before
    assert sum(before.values()) == (6 if departments == "all" else 5)
    _decided(decisions["service"], days_ago=0, took=5)
    assert sum(_counted(since=since, department_ids=department_ids).values()) == sum(before.values()) + 1


def test_a_window_longer_than_the_summary_is_counted_from_the_applications(decisions):
    """A window reaching further back than the summary keeps is counted from the applications, the oldest included."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=DAYS_KEPT + 10)
    before = _counted(since=since)

    decision_days_refresh(until=_at(today, hour=0))

    assert _counted(since=since) == before
    assert sum(before.values()) == 7


def test_a_summary_left_days_behind_is_completed_from_the_applications(decisions):
    """A rebuild that has not run for days (a lost beat): the days since it are counted from the applications."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=30)
    before = _counted(since=since)

    decision_days_refresh(until=_at(today - dt.timedelta(days=3), hour=0))

    assert _counted(since=since) == before


def test_the_days_added_up_in_the_database_are_the_same_counts(decisions):
    """Without the day (the public statistics), the summary's days are added up in the database: the same counts per
    service, working days and punctuality."""
    today = timezone.localdate()
    decision_days_refresh(until=_at(today, hour=0))
    _decided(decisions["service"], days_ago=0, took=5)

    def without_day(counts) -> Counter:
        totals = Counter()
        for count in counts:
            totals[count.service_id, count.working_days, count.on_time] += count.n
        return totals

    since = today - dt.timedelta(days=89)
    assert without_day(decision_counts(since=since, period=None)) == without_day(decision_counts(since=since))
    assert any(count.decided_on is None for count in decision_counts(since=since, period=None))


def test_the_days_added_up_by_week_in_the_database_are_the_same_counts(decisions):
    """By week (the supervisors' dashboard), the summary's days are added up in the database under their week's
    Monday: the same counts per service, week, working days and punctuality as the days' counts."""
    today = timezone.localdate()
    decision_days_refresh(until=_at(today, hour=0))
    _decided(decisions["service"], days_ago=0, took=5)

    def by_week(counts) -> Counter:
        totals = Counter()
        for count in counts:
            monday = count.decided_on - dt.timedelta(days=count.decided_on.weekday())
            totals[count.service_id, monday, count.working_days, count.on_time] += count.n
        return totals

    since = today - dt.timedelta(days=today.weekday(), weeks=7)
    weekly = decision_counts(since=since, period="week")
    assert by_week(weekly) == by_week(decision_counts(since=since))
    assert {count.decided_on.weekday() for count in weekly if count.decided_on < today} == {0}


@pytest.mark.parametrize("rebuilt_days_ago", [0, 3])
@pytest.mark.parametrize("days", [0, 10, 20, SUBMISSION_DAYS_KEPT + 10])
def test_the_submissions_summary_and_the_days_since_count_what_the_applications_count(
    decisions, days, rebuilt_days_ago
):
    """This month's submissions (the public statistics): the same counts by service from the applications alone, with
    the summary rebuilt today or days late, from a day it keeps or further back, and after a submission since."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=days)
    before = submission_counts(since=since)
    live = Counter(
        Application.objects.filter(submitted_at__gte=_at(since, hour=0)).values_list("service_id", flat=True)
    )

    decision_days_refresh(until=_at(today - dt.timedelta(days=rebuilt_days_ago), hour=0))

    assert SubmissionDay.objects.exists()
    assert submission_counts(since=since) == before == dict(live)
    ApplicationFactory(service=decisions["service"], submitted=True)
    assert sum(submission_counts(since=since).values()) == sum(before.values()) + 1


def test_a_rebuild_counts_its_day_up_to_its_moment_and_what_comes_after_live(decisions):
    """The summary holds the day of the rebuild up to its moment (a reader counts only the time since from the
    applications, not the whole of today); a decision and a submission after that moment are counted live."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=89)
    before, submitted = _counted(since=since), submission_counts(since=today)
    moment = _at(today, hour=0) + dt.timedelta(minutes=1)  # after today's decision (at midnight)

    decision_days_refresh(until=moment)

    assert DecisionDay.objects.filter(day=today).exists()  # today's decision, in the summary
    assert _counted(since=since) == before and submission_counts(since=today) == submitted
    later = moment + dt.timedelta(minutes=1)
    ApplicationFactory(
        service=decisions["service"], approved=True, submitted_at=later, decided_at=later, due_date=today
    )
    assert sum(_counted(since=since).values()) == sum(before.values()) + 1
    assert sum(submission_counts(since=today).values()) == sum(submitted.values()) + 1


def test_the_hourly_rebuild_counts_up_to_a_few_minutes_ago(decisions):
    """The periodic task's rebuild (no moment given) holds what was decided until SETTLING ago; a decision made
    within those minutes (its transaction may still be committing elsewhere) is counted live."""
    now = timezone.now()
    recent = ApplicationFactory(
        service=decisions["service"], approved=True, submitted_at=now, decided_at=now, due_date=timezone.localdate()
    )

    before = _counted(since=timezone.localdate() - dt.timedelta(days=89))

    refresh_decision_days()

    (until,) = set(DecisionDay.objects.values_list("until", flat=True)) | set(
        SubmissionDay.objects.values_list("until", flat=True)
    )
    assert now - SETTLING <= until < now - SETTLING + dt.timedelta(seconds=30) < recent.decided_at
    assert _counted(since=timezone.localdate() - dt.timedelta(days=89)) == before  # the recent one, counted live
