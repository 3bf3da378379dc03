"""The queue and the application page cost the same number of queries with 10 applications as with 1,000."""

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.accounts.models import ResidentProfile, User
from services.applications.models import Application, Status
from services.catalogue.actions import form_version_publish
from tests.factories import VALID_ANSWERS, ServiceFactory, StaffFactory, TeamFactory

from .conftest import CHANGELIST, change_url, logged_in

pytestmark = pytest.mark.django_db

STATUSES = itertools.cycle([Status.ROUTED, Status.IN_REVIEW, Status.AWAITING_INFORMATION, Status.IN_REVIEW])


def add_applications(count: int, *, services, teams, caseworkers, start: int) -> None:
    """Insert ``count`` open applications quickly (bulk), of several services, teams, caseworkers and applicants,
    half of the applicants with a profile."""
    users = User.objects.bulk_create([User(email=f"bulk{start + n}@example.test") for n in range(count)])
    ResidentProfile.objects.bulk_create(
        [ResidentProfile(user=user, legal_name=f"居民{n}") for n, user in enumerate(users) if n % 2]
    )
    versions = {service.pk: form_version_publish(service=service) for service in services}
    today = dt.date(2026, 12, 1)
    applications = []
    for n, user in enumerate(users):
        service, status = services[n % len(services)], next(STATUSES)
        applications.append(
            Application(
                applicant=user,
                service=service,
                form_version=versions[service.pk],
                answers=VALID_ANSWERS,
                status=status,
                department=service.department,
                team=teams[n % len(teams)] if n % 3 else None,
                assignee=None if status == Status.ROUTED else caseworkers[n % len(caseworkers)],
                reference=f"HLT-2026-{start + n:06d}",
                due_date=today + dt.timedelta(days=n % 40),
                submitted_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            )
        )
    Application.objects.bulk_create(applications)


@pytest.fixture
def queue(health, health_caseworker):
    services = [ServiceFactory(department=health) for _ in range(3)]
    return {
        "services": services,
        "teams": [TeamFactory(department=health, code=code) for code in ("pudong", "xuhui")],
        "caseworkers": [health_caseworker, *(StaffFactory(department=health) for _ in range(4))],
    }


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["queue", "queue filtered and searched", "application page"])
def test_query_count_is_the_same_for_10_and_1000_applications(page, queue, health_caseworker,
                                                              django_assert_num_queries):  # fmt: skip
    add_applications(10, **queue, start=0)
    first = Application.objects.order_by("pk").first()
    url = {
        "queue": CHANGELIST,
        "queue filtered and searched": CHANGELIST + "?assigned=me&deadline=soon&q=居民",
        "application page": change_url(first),
    }[page]
    client = logged_in(health_caseworker)
    client.get(url)  # warm per-process caches (content types, templates)
    with_10 = count_queries(client, url)

    add_applications(990, **queue, start=10)
    assert Application.objects.count() == 1000

    with django_assert_num_queries(with_10):
        response = client.get(url)
    if page == "queue":
        assert len(response.context["cl"].result_list) == 50  # a full page now, 10 rows before
