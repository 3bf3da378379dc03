"""The routing admin: teams, the holiday calendar, bundles, and the dashboard of backlogs, queues and runs."""

import datetime as dt
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from services.accounts.models import DepartmentMembership
from services.routing.models import PeriodicRun
from services.routing.selectors import broker_status
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, DepartmentFactory, ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:routing_backlog_changelist")


def logged_in(user) -> Client:
    return staff_login(Client(headers={"accept-language": "en"}), user)


@pytest.fixture
def superuser():
    return StaffFactory(is_superuser=True)


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:routing_team_add"),
        reverse("admin:routing_team_changelist"),
        reverse("admin:calendar_calendarday_changelist") + "?date__year=2026",
        reverse("admin:routing_routingrule_add"),
        reverse("admin:routing_bundle_add"),
        reverse("admin:routing_bundle_changelist"),
    ],
)
def test_the_routing_admin_pages_open(superuser, url):
    assert logged_in(superuser).get(url).status_code == 200


def test_the_holiday_calendar_is_listed_with_weekdays(superuser):
    page = logged_in(superuser).get(reverse("admin:calendar_calendarday_changelist") + "?q=National").content.decode()
    assert "国庆节 National Day" in page
    assert "Oct. 1, 2026" in page or "2026-10-01" in page


def test_the_dashboard_shows_backlogs_failures_and_the_last_runs(superuser, service, health):
    """Per department: open applications by status and overdue; routing: waiting, failed, per hour, the runs."""
    education = DepartmentFactory(code="education", reference_prefix="EDU")
    ApplicationFactory(service=service, routed=True, routed_at=timezone.now())
    ApplicationFactory(service=service, in_review=True, due_date=timezone.localdate() - dt.timedelta(days=2))
    ApplicationFactory(service=ServiceFactory(department=education), routed=True)
    ApplicationFactory(service=service, submitted=True, routing_failed_at=timezone.now())
    PeriodicRun.objects.create(name="sweep_routing", finished_at=timezone.now(), result={"routing": 3, "intake": 0})

    page = logged_in(superuser).get(DASHBOARD).content.decode()

    assert "Backlog by department" in page
    assert "<code>dept.health</code>" in page and "<code>dept.education</code>" in page
    assert "No broker: tasks run in-process" in page
    assert "Routing failed (staff must retry)" in page
    assert "Last run of sweep_routing" in page and "&#x27;routing&#x27;: 3" in page
    assert "2026" in page  # the holiday calendar's years


def test_supervisors_see_their_own_departments_only_and_caseworkers_nothing(service, health):
    DepartmentFactory(code="education", reference_prefix="EDU")
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)

    page = logged_in(supervisor).get(DASHBOARD).content.decode()

    assert "<code>dept.health</code>" in page
    assert "dept.education" not in page
    assert "Routing failed" not in page  # the operators' part
    assert logged_in(StaffFactory(department=health)).get(DASHBOARD).status_code == 403


def test_broker_status_reads_queue_depths_and_redis_settings():
    """Depths come from the broker itself; Redis reports its persistence and eviction policy."""
    channel = mock.Mock()
    channel.queue_declare.side_effect = lambda queue, **options: mock.Mock(message_count=len(queue))
    channel.client.info.side_effect = lambda section: {
        "persistence": {"aof_enabled": 1},
        "memory": {"maxmemory_policy": "noeviction"},
    }[section]
    connection = mock.MagicMock()
    connection.__enter__.return_value.default_channel = channel

    with (
        mock.patch("services.routing.selectors.settings.CELERY_TASK_ALWAYS_EAGER", False),
        mock.patch("services.routing.selectors.current_app") as app,
    ):
        app.pool.acquire.return_value = connection
        status = broker_status(queues=["routing", "dept.health"])

    assert status == {
        "depths": {"routing": 7, "dept.health": 11},
        "redis": {"aof_enabled": True, "maxmemory_policy": "noeviction"},
    }


def test_a_broker_lost_is_told_and_its_kept_connection_dropped():
    """A kept connection whose broker went away reports the error (the page still answers) and is closed, so that
    the next read connects afresh."""

    class Lost(Exception):
        pass

    kept = mock.MagicMock(connection_errors=(Lost,), channel_errors=())
    kept.default_channel.queue_declare.side_effect = Lost("Connection refused")
    connection = mock.MagicMock()
    connection.__enter__.return_value = kept

    with (
        mock.patch("services.routing.selectors.settings.CELERY_TASK_ALWAYS_EAGER", False),
        mock.patch("services.routing.selectors.current_app") as app,
    ):
        app.pool.acquire.return_value = connection
        status = broker_status(queues=["routing"])

    assert status == {"error": "Lost: Connection refused"}
    kept.collect.assert_called_once()
