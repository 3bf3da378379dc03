"""Legal deadlines: working days on the holiday calendar from the data, a clock that stops while the resident is
asked for information, overdue applications marked with their supervisors told, and the due date residents see."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.accounts.models import DepartmentMembership
from services.applications.models import Priority, Status
from services.applications.notifications import notify_applications_overdue
from services.applications.workflow import application_transition
from services.calendar.models import CalendarDay
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.routing.actions import application_route
from services.routing.models import PeriodicRun
from services.routing.tasks import mark_overdue
from tests.factories import ApplicationFactory, ResidentProfileFactory, ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db


@contextmanager
def at(moment: str):
    """Let it be ``moment`` (Shanghai time) for the code under test."""
    now = timezone.make_aware(dt.datetime.fromisoformat(moment))
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield now


def test_the_2026_schedule_is_loaded_by_a_migration_with_its_source():
    """A fresh database already holds the 2026 schedule: 33 days off, 6 adjusted working days, the notice named."""
    assert CalendarDay.objects.filter(kind=CalendarDay.Kind.DAY_OFF, date__year=2026).count() == 33
    assert CalendarDay.objects.filter(kind=CalendarDay.Kind.WORKING_DAY, date__year=2026).count() == 6
    assert CalendarDay.objects.get(date="2026-02-14").kind == CalendarDay.Kind.WORKING_DAY
    assert "国务院办公厅" in CalendarDay.objects.get(date="2026-10-01").source


def route_submitted_on(moment: str, *, processing_days: int):
    service = ServiceFactory(processing_days=processing_days)
    with at(moment) as now:
        application = ApplicationFactory(service=service, submitted=True, submitted_at=now)
        application_route(application_id=application.pk)
    application.refresh_from_db()
    return application


@pytest.mark.parametrize(
    ("submitted", "days", "due"),
    [
        ("2026-02-12 09:00", 5, "2026-02-26"),  # across Spring Festival, Saturday Feb 14 worked
        ("2026-02-13 23:30", 1, "2026-02-14"),  # late on Friday in Shanghai is still Friday
        ("2026-09-30 16:00", 3, "2026-10-10"),  # across National Day, Saturday Oct 10 worked
        ("2026-09-24 10:00", 20, "2026-10-29"),  # Mid-Autumn and National Day
    ],
)
def test_routing_sets_the_due_date_from_the_services_working_days(calendar_2026, submitted, days, due):
    assert route_submitted_on(submitted, processing_days=days).due_date == dt.date.fromisoformat(due)


def test_the_calendar_is_data_an_administrator_can_change(calendar_2026):
    """A day added in the admin's calendar (say an extra day off) moves the deadlines routed after it."""
    CalendarDay.objects.create(date="2026-12-01", kind=CalendarDay.Kind.DAY_OFF, name="test")

    assert route_submitted_on("2026-11-30 10:00", processing_days=1).due_date == dt.date(2026, 12, 2)


@pytest.fixture
def in_review_on_national_day_service(calendar_2026):
    """An application of a 10-working-day service submitted Friday 18 Sep 2026, due Friday 9 Oct, in review."""
    application = route_submitted_on("2026-09-18 10:00", processing_days=10)
    assert application.due_date == dt.date(2026, 10, 9)
    handler = StaffFactory(department=application.department)
    with at("2026-09-21 09:00"):
        application = application_transition(
            application=application, to=Status.IN_REVIEW, by=handler, changes={"assignee": handler}
        )
    return application, handler


def test_the_clock_stops_while_the_resident_is_asked_and_resumes_on_the_answer(in_review_on_national_day_service):
    """Asked on Tue 29 Sep, answered on Fri 9 Oct: 3 working days stood still (30 Sep, 8 and 9 Oct), so the due
    date moves from 9 Oct to 13 Oct (counting the adjusted working Saturday 10 Oct)."""
    application, handler = in_review_on_national_day_service

    with at("2026-09-29 09:00") as asked:
        application = application_transition(application=application, to=Status.AWAITING_INFORMATION, by=handler)
    assert application.clock_paused_at == asked
    assert application.due_date == dt.date(2026, 10, 9)  # unchanged while it waits

    with at("2026-10-09 15:00"):
        application = application_transition(application=application, to=Status.IN_REVIEW, by=application.applicant)
    application.refresh_from_db()
    assert (application.clock_paused_at, application.paused_working_days) == (None, 3)
    assert application.due_date == dt.date(2026, 10, 13)

    # a second question answered the same day stops the clock for no whole working day
    with at("2026-10-12 09:00"):
        application_transition(application=application, to=Status.AWAITING_INFORMATION, by=handler)
    with at("2026-10-12 17:00"):
        application = application_transition(application=application, to=Status.IN_REVIEW, by=application.applicant)
    assert (application.paused_working_days, application.due_date) == (3, dt.date(2026, 10, 13))


def test_a_pause_across_spring_festival_counts_only_working_days(calendar_2026):
    """Due Thu 26 Feb; asked Fri 13 Feb, answered Wed 25 Feb: 14 Feb, 24 and 25 Feb stood still → due Mon 2 Mar."""
    application = route_submitted_on("2026-02-12 09:00", processing_days=5)
    handler = StaffFactory(department=application.department)
    with at("2026-02-13 09:00"):
        application_transition(application=application, to=Status.IN_REVIEW, by=handler, changes={"assignee": handler})
        application_transition(application=application, to=Status.AWAITING_INFORMATION, by=handler)
    with at("2026-02-25 11:00"):
        application = application_transition(application=application, to=Status.IN_REVIEW, by=application.applicant)

    assert (application.paused_working_days, application.due_date) == (3, dt.date(2026, 3, 2))


def test_withdrawing_while_asked_stops_the_clock_for_good(in_review_on_national_day_service):
    application, handler = in_review_on_national_day_service
    with at("2026-09-29 09:00"):
        application_transition(application=application, to=Status.AWAITING_INFORMATION, by=handler)
    with at("2026-09-30 09:00"):
        application = application_transition(application=application, to=Status.WITHDRAWN, by=application.applicant)

    assert (application.clock_paused_at, application.paused_working_days) == (None, 1)


# --- Overdue ---------------------------------------------------------------------------------------------------


@pytest.fixture
def supervisor(health):
    return StaffFactory(
        department=health, department__role=DepartmentMembership.Role.SUPERVISOR, email="chief@health.example"
    )


def test_overdue_applications_are_marked_once_with_priority_raised_and_supervisors_told(
    service, health, supervisor, django_capture_on_commit_callbacks
):
    """Past its due date with the clock running: priority up one step, a staff-only note, and one message listing
    them to each of the department's supervisors (inbox and email), in their language (no profile: Chinese);
    a second run does nothing."""
    today = timezone.localdate()
    late = ApplicationFactory(service=service, routed=True, due_date=today - dt.timedelta(days=1))
    later = ApplicationFactory(service=service, in_review=True, due_date=today - dt.timedelta(days=9),
                               priority=Priority.URGENT)  # fmt: skip
    ApplicationFactory(service=service, routed=True, due_date=today)  # due today: not late yet
    # Past due yet not overdue: one waiting for the resident (its clock stopped), one decided.
    ApplicationFactory(service=service, awaiting_information=True, due_date=today - dt.timedelta(days=3))
    ApplicationFactory(service=service, approved=True, due_date=today - dt.timedelta(days=3))
    StaffFactory(department=health)  # a caseworker: not told
    english = ResidentProfileFactory(preferred_language="en", id_number=None).user
    DepartmentMembership.objects.create(user=english, department=health, role=DepartmentMembership.Role.SUPERVISOR)

    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue() == 2

    late.refresh_from_db()
    later.refresh_from_db()
    assert (late.priority, later.priority) == (Priority.HIGH, Priority.URGENT)
    assert late.overdue_notified_at is not None
    assert late.events.get().note == "overdue"
    assert not late.events.get().visible_to_resident
    assert {(n.recipient, n.channel, n.status) for n in Notification.objects.filter(event=Event.OVERDUE)} == {
        (supervisor, Channel.IN_APP, DeliveryStatus.SENT),
        (supervisor, Channel.EMAIL, DeliveryStatus.SENT),
        (english, Channel.IN_APP, DeliveryStatus.SENT),
        (english, Channel.EMAIL, DeliveryStatus.SENT),
    }
    by_recipient = {email.to[0]: email for email in mail.outbox}
    assert set(by_recipient) == {supervisor.email, english.email}
    zh, en = by_recipient[supervisor.email], by_recipient[english.email]
    assert zh.subject == f"{health.name_zh}：2 件申请已超过办理时限"
    assert en.subject == f"{health.name_en}: 2 applications are past their due date"
    for email, title in ((zh, service.title_zh), (en, service.title_en)):
        assert email.body.index(later.reference) < email.body.index(late.reference)  # the longest overdue first
        assert f"{late.reference} · {title}" in email.body and "/admin/applications/application/" in email.body
        assert late.reference in email.alternatives[0][0]
    assert f"应于 {late.due_date.isoformat()} 办结" in zh.body and "已超过法定办结期限" in zh.body
    assert f"due {late.due_date.isoformat()}" in en.body and "have passed their legal due date" in en.body
    assert PeriodicRun.objects.get(name="mark_overdue").result == {"overdue": 2}

    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue() == 0
    assert len(mail.outbox) == 2


def test_the_same_overdue_notice_is_not_sent_twice(service, supervisor, django_capture_on_commit_callbacks):
    """The notice's key names its applications and their due dates: notifying the same batch again adds nothing."""
    late = ApplicationFactory(service=service, routed=True, due_date=timezone.localdate() - dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        first = notify_applications_overdue(department=late.department, applications=[late])
        again = notify_applications_overdue(department=late.department, applications=[late])

    assert len(first) == 2 and again == []
    assert len(mail.outbox) == 1


def test_overdue_applications_of_a_department_without_supervisors_are_still_marked(
    service, django_capture_on_commit_callbacks
):
    late = ApplicationFactory(service=service, routed=True, due_date=timezone.localdate() - dt.timedelta(days=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue() == 1

    late.refresh_from_db()
    assert late.overdue_notified_at is not None
    assert not Notification.objects.exists() and not mail.outbox


def test_an_overdue_backlog_is_marked_in_batches_oldest_first_in_one_run(
    service, supervisor, settings, django_capture_on_commit_callbacks
):
    """A backlog larger than a batch (after an outage) is all marked in one run, a transaction and a message per
    batch, the longest overdue first."""
    settings.ROUTING_OVERDUE_BATCH = 2
    today = timezone.localdate()
    late = [
        ApplicationFactory(service=service, routed=True, due_date=today - dt.timedelta(days=days))
        for days in (1, 5, 2, 4, 3)
    ]

    with django_capture_on_commit_callbacks(execute=True):
        assert mark_overdue() == 5

    assert all(a.events.filter(note="overdue").count() == 1 for a in late)
    assert [sum(a.reference in email.body for a in late) for email in mail.outbox] == [2, 2, 1]
    oldest_first = sorted(late, key=lambda a: a.due_date)
    assert oldest_first[0].reference in mail.outbox[0].body and oldest_first[1].reference in mail.outbox[0].body
    assert PeriodicRun.objects.get(name="mark_overdue").result == {"overdue": 5}


def test_an_answer_that_moves_the_due_date_allows_a_new_overdue_notice(in_review_on_national_day_service):
    """The notice belongs to a due date: once the clock resumes with a new due date, it can be sent again."""
    application, handler = in_review_on_national_day_service
    application.overdue_notified_at = timezone.now()
    application.save(update_fields=["overdue_notified_at"])
    with at("2026-10-12 09:00"):
        application_transition(application=application, to=Status.AWAITING_INFORMATION, by=handler)
    with at("2026-10-13 09:00"):
        application = application_transition(application=application, to=Status.IN_REVIEW, by=application.applicant)

    assert application.overdue_notified_at is None
    assert application.due_date == dt.date(2026, 10, 10)


def test_the_resident_sees_the_due_date_on_the_web_and_in_the_api(service, resident):
    """The detail page, "My applications" and the API show the due date; the page says when the clock is paused."""
    application = ApplicationFactory(service=service, applicant=resident, routed=True, due_date=dt.date(2026, 12, 11))
    client = Client(headers={"accept-language": "en"})
    client.force_login(resident)
    api = APIClient()
    api.force_authenticate(resident)

    page = client.get(application.get_absolute_url()).content.decode()
    assert "Decision due by 2026-12-11" in page
    assert "paused" not in page
    assert "2026-12-11" in client.get(reverse("applications:mine")).content.decode()
    assert api.get(f"/api/v1/applications/{application.public_id}/").json()["due_date"] == "2026-12-11"

    application.status, application.clock_paused_at = Status.AWAITING_INFORMATION, timezone.now()
    application.save(update_fields=["status", "clock_paused_at"])
    page = client.get(application.get_absolute_url()).content.decode()
    assert "The time limit is paused until you send the information we asked for." in page
