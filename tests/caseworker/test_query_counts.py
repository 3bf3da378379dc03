"""The queue and the application page cost the same number of queries with 10 applications as with 1,000; every
admin page of an application, and the admin pages of what belongs to one, the same with 1 row as with 50."""

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.accounts.models import ResidentProfile, User
from services.applications.models import Application, Status
from services.caseworker.models import BulkJob, BulkJobItem
from services.catalogue.actions import form_version_publish
from tests.factories import VALID_ANSWERS, ServiceFactory, StaffFactory, TeamFactory
from tests.query_counts import MANY, World, grow
from tests.query_counts import count_queries as count_queries_of

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


# --- Every admin page of an application, and the admin pages of what belongs to one: 1 row and 50 ------------------

ADMIN = "admin:applications_application_"


@dataclass(frozen=True)
class AdminPage:
    """An admin page: whose it is, its URL from the world, and how it is asked for."""

    user: str  # "caseworker", "supervisor" (of the department) or "superuser"
    url: Callable[[World], str]
    method: str = "get"
    data: Callable[[World], dict] = lambda w: {}
    status: int = 200


def _queue(query: str = "") -> Callable[[World], str]:
    return lambda w: reverse(ADMIN + "changelist") + query


def _of(name: str, case: str = "in_review") -> Callable[[World], str]:
    return lambda w: reverse(ADMIN + name, args=[getattr(w, case).pk])


def _selected(w: World) -> list[int]:
    # The newest 50 at most: SQLite writes more audit entries than about a hundred in two inserts (its limit of bound
    # variables), PostgreSQL in one.
    return list(Application.objects.filter(department=w.department).order_by("-pk").values_list("pk", flat=True)[:MANY])


def _bulk_job(w: World) -> str:
    """A new bulk action of the supervisor's on every application of the department, one not done, the rest not
    yet: its progress page."""
    job = BulkJob.objects.create(created_by=w.supervisor, form_token=uuid.uuid4(), kind=BulkJob.Kind.ASSIGN,
                                 assignee=w.caseworker, language="en")  # fmt: skip
    ids = Application.objects.filter(department=w.department).values_list("pk", flat=True)
    items = BulkJobItem.objects.bulk_create(BulkJobItem(job=job, application_id=pk) for pk in ids)
    BulkJobItem.objects.filter(pk=items[0].pk).update(result=BulkJobItem.Result.FAILED, message="Not in your queues.")
    BulkJob.objects.filter(pk=job.pk).update(total=len(items))
    return reverse(ADMIN + "bulk_job", args=[job.public_id])


APPLICATION_PAGES = {
    "queue": AdminPage("caseworker", _queue()),
    "queue, mine": AdminPage("caseworker", _queue("?assigned=me")),
    "queue, overdue": AdminPage("caseworker", _queue("?deadline=overdue")),
    "queue, due soon, unassigned": AdminPage("caseworker", _queue("?deadline=soon&assigned=nobody")),
    "queue, a team's": AdminPage("caseworker", lambda w: _queue(f"?team__id__exact={w.team.pk}")(w)),
    "queue, a service's, all statuses": AdminPage(
        "caseworker", lambda w: _queue(f"?service__id__exact={w.service.pk}&status=all")(w)
    ),
    "queue, searched by name, sorted by service": AdminPage("caseworker", _queue("?q=居民&o=2")),
    "queue, administrator": AdminPage("superuser", _queue("?routing_failed=&status=all")),
    "queue, supervisor": AdminPage("supervisor", _queue()),
    "queue export (CSV)": AdminPage(  # about 50 rows at most (see _selected)
        "supervisor", lambda w: reverse(ADMIN + "export") + "?assigned=nobody&deadline=soon"
    ),
    "queue, export the selected (CSV)": AdminPage(
        "supervisor",
        _queue(),
        method="post",
        data=lambda w: {"action": "export_selected", ACTION_CHECKBOX_NAME: _selected(w)},
    ),
    "queue, assign the selected (the form)": AdminPage(
        "supervisor",
        _queue(),
        method="post",
        data=lambda w: {"action": "assign_selected", ACTION_CHECKBOX_NAME: _selected(w)},
    ),
    "application page, its caseworker": AdminPage("caseworker", _of("change")),
    "application page, a supervisor": AdminPage("supervisor", _of("change")),
    "application page, decided": AdminPage("supervisor", _of("change", "decided")),
    "application page, awaiting the resident": AdminPage("caseworker", _of("change", "awaiting")),
    "application history": AdminPage("caseworker", _of("history")),
    "application document": AdminPage(
        "caseworker", lambda w: reverse(ADMIN + "document", args=[w.in_review.pk, w.document.public_id])
    ),
    "decision confirmation, with the letter": AdminPage(
        "caseworker",
        _of("act"),
        method="post",
        data=lambda w: {"action": "approve", "version": Application.objects.get(pk=w.in_review.pk).version},
    ),
    "next case": AdminPage("caseworker", lambda w: reverse(ADMIN + "next"), status=302),
    "a bulk action's progress": AdminPage("supervisor", lambda w: _bulk_job(w)),
    "application button (a note)": AdminPage(
        "caseworker",
        _of("act"),
        method="post",
        data=lambda w: {
            "action": "note",
            "version": Application.objects.get(pk=w.in_review.pk).version,
            "note": "看过",
        },
        status=302,
    ),
}
# The application admin's URLs, each measured above or why not.
APPLICATION_URLS = {
    "changelist": "queue",
    "export": "queue export (CSV)",
    "change": "application page, its caseworker",
    "history": "application history",
    "document": "application document",
    "act": "application button (a note)",
    "next": "next case",
    "bulk_job": "a bulk action's progress",
    "add": None,  # nobody adds applications in the admin (403)
    "delete": None,  # nor deletes them (403)
}
RELATED_PAGES = {  # the admin pages of what belongs to an application
    "audit log": AdminPage("superuser", lambda w: reverse("admin:audit_auditentry_changelist")),
    "audit entry": AdminPage(
        "superuser", lambda w: reverse("admin:audit_auditentry_change", args=[w.decided.audit_entries.first().pk])
    ),
    "documents": AdminPage("superuser", lambda w: reverse("admin:documents_document_changelist")),
    "document": AdminPage("superuser", lambda w: reverse("admin:documents_document_change", args=[w.document.pk])),
    "notifications": AdminPage("superuser", lambda w: reverse("admin:notifications_notification_changelist")),
    "notification": AdminPage(
        "superuser", lambda w: reverse("admin:notifications_notification_change", args=[w.notification.pk])
    ),
    "rating follow-ups": AdminPage("supervisor", lambda w: reverse("admin:ratings_followup_changelist")),
    "rating follow-up": AdminPage(
        "supervisor", lambda w: reverse("admin:ratings_followup_change", args=[w.follow_up.pk])
    ),
    "rejection reasons": AdminPage("supervisor", lambda w: reverse("admin:applications_rejectionreason_changelist")),
    "routing dashboard": AdminPage("supervisor", lambda w: reverse("admin:routing_backlog_changelist")),
}
ADMIN_PAGES = {**APPLICATION_PAGES, **RELATED_PAGES}


def test_every_url_of_the_application_admin_has_a_case():
    """A new page of the application admin fails here until it is measured (or said why not)."""
    names = {url.name for url in admin.site._registry[Application].get_urls() if url.name}
    assert names == {f"applications_application_{name}" for name in APPLICATION_URLS}
    assert {page for page in APPLICATION_URLS.values() if page} <= set(APPLICATION_PAGES)


@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_admin_page_query_count_is_the_same_for_1_and_50_rows(name, counted_world):
    """As many queries with 50 queued applications, events, documents, information requests, audit entries,
    staff, rejection reasons, ratings and notifications as with 1."""
    page = ADMIN_PAGES[name]
    user = {
        "caseworker": counted_world.caseworker,
        "supervisor": counted_world.supervisor,
        "superuser": StaffFactory(is_superuser=True),
    }[page.user]
    client = logged_in(user)
    client.get(reverse("admin:index"))  # the session's first request records it

    def visit():
        url, data = page.url(counted_world), page.data(counted_world)  # before the queries are counted
        return count_queries_of(lambda: check(getattr(client, page.method)(url, data)))

    def check(response):
        assert response.status_code == page.status, (name, response.status_code)

    visit()  # once before: what a process keeps between requests (content types, templates) is then kept
    with_1 = visit()
    grow(counted_world, MANY - 1)
    with_50 = visit()

    assert with_50 == with_1
