"""The supervisors' panels of the routing dashboard: backlog per team queue, caseworker workload, on-time rate and
median processing time per service by week (inline SVG charts with their figures), bad ratings to follow up."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from services.calendar.selectors import working_calendar
from services.caseworker.selectors import service_performance
from services.ratings.actions import rating_submit
from tests.factories import ApplicationFactory, ServiceFactory, TeamFactory

from .conftest import logged_in

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:routing_backlog_changelist")


def decided_on(service, day: dt.date, *, days_taken: int, on_time: bool):
    """An application approved on ``day``, ``days_taken`` working days after the day it was submitted."""
    calendar, submitted_on = working_calendar(), day
    while calendar.working_days_between(submitted_on, day) < days_taken:
        submitted_on -= dt.timedelta(days=1)
    return ApplicationFactory(
        service=service,
        approved=True,
        submitted_at=timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(10))),
        decided_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        due_date=day if on_time else day - dt.timedelta(days=1),
    )


def test_on_time_rate_and_median_by_service_and_week(service, health, education):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    for days, on_time in ((2, True), (4, True), (9, False)):
        decided_on(service, monday, days_taken=days, on_time=on_time)
    decided_on(service, monday - dt.timedelta(weeks=1), days_taken=1, on_time=True)
    decided_on(service, monday - dt.timedelta(weeks=9), days_taken=1, on_time=False)  # too old
    decided_on(ServiceFactory(department=education), monday, days_taken=1, on_time=True)  # not theirs

    (row,) = service_performance(department_ids=[health.pk], today=today)

    assert row["service"] == service
    this_week, last_week = row["weeks"][-1], row["weeks"][-2]
    assert (this_week.week, this_week.decided, this_week.on_time, this_week.on_time_percent) == (monday, 3, 2, 67)
    assert this_week.median_days == 4.0
    assert (last_week.decided, last_week.on_time_percent, last_week.median_days) == (1, 100, 1.0)
    assert [week.decided for week in row["weeks"][:-2]] == [0] * 6


@pytest.fixture
def health_supervisor_page(health_supervisor, health_caseworker, service, education):
    today = timezone.localdate()
    team = TeamFactory(department=service.department, code="pudong")
    ApplicationFactory(service=service, routed=True, team=team, due_date=today - dt.timedelta(days=2))
    ApplicationFactory(service=service, in_review=True, assignee=health_caseworker, due_date=today)
    decided_on(service, today, days_taken=3, on_time=True)
    ApplicationFactory(service=ServiceFactory(department=education), routed=True)
    return logged_in(health_supervisor).get(DASHBOARD)


def test_supervisor_sees_queues_workload_and_charts(health_supervisor_page, health_caseworker, service):
    response = health_supervisor_page
    assert response.status_code == 200
    queues = {(row["department"].code, row["team"] and row["team"].code): row for row in response.context["queues"]}
    assert set(queues) == {("health", "pudong"), ("health", None)}  # never another department's
    assert (queues["health", "pudong"]["routed"], queues["health", "pudong"]["overdue"]) == (1, 1)
    assert queues["health", None]["in_review"] == 1
    workload = {row["person"].email: row for row in response.context["workload"]}
    assert workload[health_caseworker.email]["in_review"] == 1

    content = response.content.decode()
    charts = re.findall(r'<svg [^>]*role="img" aria-label="([^"]+)"', content)
    assert charts == [
        "Decided by the due date (%) per week",
        "Median working days from submission to decision per week",
    ]
    assert "<rect" in content and "<table" in content and service.title_en in content
    assert " style=" not in content.split("<svg", 1)[1]  # the CSP allows no inline style


def test_bad_ratings_waiting_for_follow_up(health_supervisor, service, education):
    mine = ApplicationFactory(service=service, in_review=True)
    elsewhere = ApplicationFactory(service=ServiceFactory(department=education), in_review=True)
    for application in (mine, elsewhere):
        rating_submit(application=application, by=application.applicant, speed=1, clarity=2, attitude=1)

    content = logged_in(health_supervisor).get(DASHBOARD).content.decode()

    assert mine.reference in content and elsewhere.reference not in content


def test_caseworkers_do_not_get_the_dashboard(health_caseworker):
    assert logged_in(health_caseworker).get(DASHBOARD).status_code == 403


def test_an_administrator_sees_every_department(superuser, service, education):
    ApplicationFactory(service=ServiceFactory(department=education), routed=True)

    response = logged_in(superuser).get(DASHBOARD)

    assert {row["department"].code for row in response.context["queues"]} == {"health", "education"}


def test_the_dashboard_counts_open_applications_from_their_kept_counts(
    health_supervisor, health_caseworker, service, django_assert_num_queries
):
    """A supervisor's dashboard costs a fixed number of queries, whatever is open; the open applications (backlog,
    queues, workload, overdue) are summed from their kept counts: the only read of the applications themselves is
    today's decisions (the routing figures are an administrator's); the workload's caseworkers are two small reads,
    their memberships then their rows by id (see test_query_plans)."""
    client = logged_in(health_supervisor)
    client.get(DASHBOARD)  # the session, the calendar and the filters' choices kept
    ApplicationFactory.create_batch(3, service=service, in_review=True, assignee=health_caseworker)
    ApplicationFactory.create_batch(2, service=service, routed=True, team=TeamFactory(department=service.department))

    with django_assert_num_queries(18) as captured:
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert sum(row["in_review"] for row in response.context["queues"]) == 3
    assert [q["sql"] for q in captured if 'FROM "applications_application"' in q["sql"]] == [
        q["sql"] for q in captured if '"applications_application"."decided_at" >=' in q["sql"]
    ]
