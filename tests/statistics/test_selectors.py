"""The public statistics: per service and department, the applications this month, the median working days to a
decision, the on-time rate, the average rating and the follow-ups resolved, computed from known data; every figure
resting on fewer than 5 applications withheld, also when the department's figure would give it away."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from services.applications.models import Status
from services.calendar.selectors import working_calendar
from services.ratings.models import FollowUp, FollowUpStatus, Rating
from services.statistics.selectors import MINIMUM_APPLICATIONS, public_statistics
from tests.factories import ApplicationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def decided(service, *, working_days: int, on_time: bool = True, rejected: bool = False):
    """An application approved (or rejected) ``working_days`` working days after it was submitted, 60 days ago."""
    submitted_on = timezone.localdate() - dt.timedelta(days=60)
    decided_on = working_calendar().add_working_days(submitted_on, working_days)
    return ApplicationFactory(
        service=service,
        approved=not rejected,
        rejected=rejected,
        submitted_at=at(submitted_on),
        decided_at=at(decided_on, 15),
        due_date=decided_on if on_time else decided_on - dt.timedelta(days=1),
    )


def rated(application, *, scores: tuple[int, int, int], step=Status.APPROVED, follow_up: str | None = None):
    speed, clarity, attitude = scores
    rating = Rating.objects.create(
        application=application, rater=application.applicant, step=step, speed=speed, clarity=clarity,
        attitude=attitude,
    )  # fmt: skip
    if follow_up:
        today = timezone.localdate()
        FollowUp.objects.create(
            rating=rating, department=application.service.department, status=follow_up, contact_due=today,
            resolve_due=today,
        )  # fmt: skip
    return rating


def rows(statistics):
    return {row.name_en: row for department in statistics.departments for row in department.services}


def test_median_working_days_and_on_time_rate_per_service(service):
    for days, on_time in ((1, True), (2, True), (3, True), (4, False), (12, True)):
        decided(service, working_days=days, on_time=on_time)
    decided(service, working_days=2, on_time=False, rejected=True)  # rejections are decisions too
    ApplicationFactory(service=service, in_review=True, submitted_at=timezone.now())  # not decided: not counted

    row = rows(public_statistics(today=timezone.localdate()))[service.title_en]

    assert (row.median_days.value, row.median_days.status) == (2.5, "shown")  # 1, 2, 2, 3, 4, 12
    assert row.on_time.value == 67  # 4 of 6
    assert str(row.median_days) == "2.5 working days"


def test_working_days_skip_weekends_and_holidays(service):
    """A decision on the Monday after a Friday submission took 1 working day, not 3 days."""
    friday = dt.date(2026, 10, 9)  # after the National Day holiday; the 10th, a Saturday, is a working day (调休)
    monday = dt.date(2026, 10, 12)
    today = monday + dt.timedelta(days=10)
    for _ in range(MINIMUM_APPLICATIONS):
        ApplicationFactory(
            service=service, approved=True, submitted_at=at(friday), decided_at=at(monday), due_date=monday
        )

    row = rows(public_statistics(today=today))[service.title_en]

    assert row.median_days.value == working_calendar().working_days_between(friday, monday)
    assert row.median_days.value in (1, 2)


def test_old_decisions_are_outside_the_window(service):
    for _ in range(MINIMUM_APPLICATIONS):
        decided(service, working_days=3)

    row = rows(public_statistics(today=timezone.localdate() + dt.timedelta(days=120)))[service.title_en]

    assert row.median_days.status == "none"
    assert row.on_time.status == "none"


def test_applications_this_month_count_submissions_since_the_first(service):
    today = timezone.localdate()
    for _ in range(3):
        ApplicationFactory(service=service, routed=True, submitted_at=at(today.replace(day=1), 0))
    ApplicationFactory(service=service, routed=True, submitted_at=at(today.replace(day=1) - dt.timedelta(days=1)))
    ApplicationFactory(service=service)  # a draft was never submitted

    statistics = public_statistics(today=today)

    assert rows(statistics)[service.title_en].submitted_this_month == 3
    assert statistics.departments[0].row.submitted_this_month == 3


def test_a_figure_resting_on_fewer_than_5_applications_is_withheld(service):
    for days in (1, 2, 3, 4):
        decided(service, working_days=days)

    row = rows(public_statistics(today=timezone.localdate()))[service.title_en]

    assert (row.median_days.value, row.median_days.status) == (None, "few")
    assert (row.on_time.value, row.on_time.status) == (None, "few")
    assert str(row.on_time) == "fewer than 5 applications"


def test_the_department_figure_is_withheld_when_it_would_give_a_withheld_service_away(health, service):
    # given a department whose one service has 6 decisions and another 4 (withheld)
    other = ServiceFactory(department=health)
    for days in (1, 1, 1, 1, 1, 1):
        decided(service, working_days=days)
    for days in (9, 9, 9, 9):
        decided(other, working_days=days, on_time=False)

    # then the department's figures, with the first service's, would give the other's: withheld
    department = public_statistics(today=timezone.localdate()).departments[0]
    assert department.services[0].on_time.value == 100
    assert department.services[1].on_time.status == "few"
    assert (department.row.on_time.status, department.row.median_days.status) == ("few", "few")

    # when a third service brings what is withheld to 5 applications, the department's figure is shown
    third = ServiceFactory(department=health)
    decided(third, working_days=2)
    department = public_statistics(today=timezone.localdate()).departments[0]
    assert department.services[2].on_time.status == "few"
    assert department.row.on_time.value == round(100 * 7 / 11)
    assert department.row.median_days.value == 1  # six 1s, one 2, four 9s


def test_average_rating_counts_applications_not_ratings(service):
    """Two residents rating three steps each are still 2 applications: withheld."""
    applications = [decided(service, working_days=1) for _ in range(2)]
    for application in applications:
        for step in (Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED):
            rated(application, scores=(5, 5, 5), step=step)

    row = rows(public_statistics(today=timezone.localdate()))[service.title_en]

    assert row.average_rating.status == "few"


def test_average_rating_and_follow_ups_resolved(service):
    applications = [decided(service, working_days=1) for _ in range(6)]
    rated(applications[0], scores=(5, 4, 3))  # 4
    rated(applications[1], scores=(5, 5, 5))  # 5
    for application, status in zip(applications[2:], ["resolved", "resolved", "resolved", "open"], strict=True):
        rated(application, scores=(1, 2, 3), follow_up=status)  # 2 each
    rated(applications[5], scores=(2, 2, 2), step=Status.IN_REVIEW, follow_up=FollowUpStatus.CONTACTED)

    row = rows(public_statistics(today=timezone.localdate()))[service.title_en]

    assert row.average_rating.value == round((4 + 5 + 2 * 4 + 2) / 7, 1)
    assert str(row.average_rating) == "2.7 out of 5"
    # 5 follow-ups over 4 applications: fewer than 5 applications, withheld
    assert row.follow_ups_resolved.status == "few"

    rated(applications[1], scores=(1, 1, 1), step=Status.IN_REVIEW, follow_up=FollowUpStatus.RESOLVED)
    row = rows(public_statistics(today=timezone.localdate()))[service.title_en]
    assert (row.follow_ups_resolved.value, row.follow_ups_resolved.total) == (4, 6)
    assert str(row.follow_ups_resolved) == "4 of 6"


def test_services_without_applications_say_no_data(service):
    row = rows(public_statistics(today=timezone.localdate()))[service.title_en]

    assert row.submitted_this_month == 0
    assert {row.median_days.status, row.on_time.status, row.average_rating.status} == {"none"}
    assert str(row.follow_ups_resolved) == "no data"


def test_inactive_services_are_not_listed(service):
    ServiceFactory(department=service.department, is_active=False, title_en="Closed")

    assert "Closed" not in rows(public_statistics(today=timezone.localdate()))
