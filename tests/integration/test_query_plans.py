"""The queue, "my applications", the sweeps, the routing batch, the public statistics and the supervisors' dashboard
read the applications table through an index (the statements a hot path prepares, in the plan PostgreSQL may keep
for them); a webhook batch, its sweep and the outbox purge read theirs through one.

Each query is the one the page or task really runs (captured while it runs), planned by PostgreSQL with sequential
scans priced out of reach (``enable_seqscan = off``): if the plan still scans the table, no index serves the query,
and at a million rows it would read them all. bench/README.md has the same plans measured at 1,000,000 rows.
"""

import datetime as dt
import json
import re
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.accounts.models import DepartmentMembership
from services.applications.decisions import decision_days_refresh
from services.applications.models import Application, FeeStatus, OpenCount, Status
from services.appointments.sweeps import bookings_confirm
from services.events import sending
from services.events.actions import deliveries_send, event_record, events_purge
from services.events.models import TYPE_PREFIX, Delivery, DeliveryStatus, Event, Subscription
from services.events.selectors import deliveries_due
from services.notifications import models as notifications
from services.payments import fakeserver
from services.payments.actions import payment_notification_receive
from services.payments.models import Payment
from services.routing.actions import applications_route_batch
from services.routing.selectors import overdue_application_ids, unrouted_application_ids
from services.statistics.selectors import public_statistics
from tests.conftest import staff_login, unavailable
from tests.factories import VALID_ANSWERS, ApplicationFactory, ServiceFactory, StaffFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

TABLE = "applications_application"
QUEUE = reverse("admin:applications_application_changelist")
DECIDED_SINCE = re.compile(r'"decided_at" >= \'([^\']+)\'')
SUBMITTED_SINCE = re.compile(r'"submitted_at" >= \'([^\']+)\'')


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        unavailable("query plans are PostgreSQL's: set DATABASE_URL=postgres://... (make test does under CI=true)")


@pytest.fixture
def queue(postgresql, health):
    """A department with applications in every status, some overdue, some in a team or assigned, of two residents."""
    caseworker = StaffFactory(department=health)
    team = TeamFactory(department=health)
    resident = UserFactory()
    today = timezone.localdate()
    for n, status in enumerate([*Status.values, *Status.values]):
        in_queue = status != Status.DRAFT
        ApplicationFactory(
            service=ServiceFactory(department=health),
            applicant=resident if n % 2 else UserFactory(),
            status=status,
            department=health if in_queue else None,
            team=team if n % 3 == 0 and in_queue else None,
            assignee=caseworker if n % 4 == 0 and in_queue else None,
            due_date=today + dt.timedelta(days=n - 8) if in_queue else None,
            submitted_at=timezone.now() - dt.timedelta(hours=2) if in_queue else None,
        )
    return {"caseworker": caseworker, "resident": resident, "team": team, "today": today}


def application_queries(run) -> list[str]:
    """Return the SQL of every query on the applications table that ``run()`` executes."""
    with CaptureQueriesContext(connection) as queries:
        run()
    found = [q["sql"] for q in queries.captured_queries if f'FROM "{TABLE}"' in q["sql"]]
    assert found, "nothing read the applications table"
    return found


def _indexes(table: str) -> dict[str, bool]:
    """Return the table's indexes, each with whether it is partial."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return {name: " WHERE " in definition for name, definition in cursor.fetchall()}


def table_scans(sql: str, table: str = TABLE) -> list[str]:
    """Return how each plan node reaching the table (the applications by default) reads it, for ``sql`` planned
    without sequential scans: "Seq Scan", or a whole index read with no condition on a full index (as costly), else
    "index"."""
    indexes = _indexes(table)
    plan = _plan_without_seqscan(sql)
    scans = []

    def walk(node):
        index = node.get("Index Name")
        if node.get("Relation Name") == table or index in indexes:
            if node["Node Type"] == "Seq Scan":
                scans.append("Seq Scan")
            elif index and not node.get("Index Cond") and not indexes[index]:
                scans.append(f"all of {index}")
            else:
                scans.append("index")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return scans


def _plan_without_seqscan(sql: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        cursor.execute("SET LOCAL enable_seqscan = on")
    return json.loads(plan) if isinstance(plan, str) else plan


def assert_indexed(queries: list[str], table: str = TABLE) -> None:
    for sql in queries:
        scans = table_scans(sql, table)
        assert scans and set(scans) == {"index"}, (scans, sql)


@pytest.mark.parametrize("query", ["", "?assigned=me", "?deadline=overdue", "?deadline=soon", "team"])
def test_the_caseworkers_queue_reads_an_index(queue, query, client):
    """The queue's page of rows and its capped count, by default and filtered to mine, overdue, due soon or a team."""
    staff_login(client, queue["caseworker"])
    url = QUEUE + (f"?team__id__exact={queue['team'].pk}" if query == "team" else query)

    queries = application_queries(lambda: client.get(url))

    assert len(queries) >= 2  # the count and the page
    # Each asks, inside itself, which departments work in their own systems (no round trip of its own for that).
    assert all('"integrations_departmentsystem"' in sql for sql in queries)
    assert_indexed(queries)


def test_my_applications_read_an_index(queue):
    """The resident's "my applications" in the API (newest first, a page at a time)."""
    api = APIClient()
    api.force_authenticate(queue["resident"])

    queries = application_queries(lambda: api.get(reverse("api:applications")))

    assert_indexed(queries)


def test_my_applications_are_read_in_the_index_order_whatever_the_statistics_say(queue):
    """A page of "my applications" walks the applicant's index in its order and stops at the page's end, the first
    page and the next, even for a resident whose applications grew since the statistics were taken: with the
    service joined, PostgreSQL sorted them all when it believed they were few (bench/README.md: 14 ms for 5,688)."""
    resident, others = queue["resident"], UserFactory()
    _copies(applicant=others, count=20_000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")  # the resident has a few applications, as far as PostgreSQL knows
    _copies(applicant=resident, count=3_000)
    api = APIClient()
    api.force_authenticate(resident)
    url = reverse("api:applications")

    first = application_queries(lambda: api.get(url))
    following = application_queries(lambda: api.get(api.get(url).json()["next"]))

    for sql in first + following:
        assert "Sort" not in plan_nodes(sql), sql


def test_a_residents_pages_read_a_page_of_their_history_not_all_of_it(queue, client):
    """Home, "my applications" and messages for a resident with 3,000 applications and 300 unread messages: nothing
    counts them all (each count stops at its cap), and the home page's drafts and the header's unread count read
    indexes of drafts and of unread messages only (bench/README.md: 11 ms, 19 ms and 40 ms a page
    at 26,000 applications and 105,000 unread messages before)."""
    resident = queue["resident"]
    _copies(applicant=resident, count=3_000)
    Application.objects.filter(reference__startswith="COPY-").update(status=Status.APPROVED)
    for other in UserFactory.create_batch(10):  # other residents' drafts (the copied application is a draft)
        _copies(applicant=other, count=500)
    notifications.Notification.objects.bulk_create(
        notifications.Notification(recipient=resident, event=notifications.Event.SUBMITTED, event_key=f"n{n}",
                                   channel=notifications.Channel.IN_APP, status=notifications.DeliveryStatus.SENT,
                                   payload={}, sent_at=timezone.now())
        for n in range(300)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}; ANALYZE notifications_notification")
    client.force_login(resident)

    with CaptureQueriesContext(connection) as queries:
        for page in ("/", reverse("applications:mine"), reverse("notifications:inbox")):
            assert client.get(page).status_code == 200
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    drafts = [
        q["sql"]
        for q in queries.captured_queries
        if f'WHERE ("{TABLE}"."applicant_id" = ' in q["sql"] and f'"{TABLE}"."status" = \'draft\')' in q["sql"]
    ]
    unread = [sql for sql in counts if '"read_at" IS NULL' in sql]

    assert counts and all(" LIMIT " in sql for sql in counts), counts
    assert drafts and unread
    for sql, index in [*((sql, "app_applicant_drafts") for sql in drafts), *((sql, "notif_unread") for sql in unread)]:
        assert index in plan_text(sql), (index, sql)


def plan_text(sql: str) -> str:
    """Return ``sql``'s plan as text, planned without sequential scans (as ``table_scans`` plans)."""
    return json.dumps(_plan_without_seqscan(sql))


def _copies(*, applicant, count: int) -> None:
    """Add ``count`` copies of an application to the applicant's, a minute apart, in one statement."""
    columns = [
        f.column
        for f in Application._meta.concrete_fields
        if f.column not in {"id", "public_id", "reference", "applicant_id", "created_at"}
    ]
    listed = ", ".join(f'"{column}"' for column in columns)
    sql = (  # the table's and the model's own names: no input in it
        f"INSERT INTO {TABLE} (public_id, reference, applicant_id, created_at, {listed}) "  # noqa: S608
        f"SELECT gen_random_uuid(), 'COPY-' || %s || '-' || n, %s, now() - n * interval '1 minute', {listed} "
        f"FROM {TABLE}, generate_series(1, %s) AS n WHERE id = (SELECT min(id) FROM {TABLE})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [applicant.pk, applicant.pk, count])


def plan_nodes(sql: str) -> list[str]:
    """Return the node types of ``sql``'s plan, as PostgreSQL plans it now."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    nodes = []

    def walk(node):
        nodes.append(node["Node Type"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return nodes


def test_the_overdue_and_routing_sweeps_and_the_routing_batch_read_an_index(queue):
    """The periodic sweeps: overdue applications not yet notified, and submitted ones never routed; and the oldest
    submitted applications a routing batch takes."""
    queries = application_queries(lambda: overdue_application_ids(today=queue["today"], limit=500))
    queries += application_queries(lambda: unrouted_application_ids(older_than=dt.timedelta(hours=1)))
    queries += application_queries(lambda: applications_route_batch(limit=50))

    assert_indexed(queries)


def test_the_routing_batch_finds_and_marks_the_submissions_still_to_be_told_of_through_an_index(queue, service):
    """The batch's read of the submitted applications' events not yet told of (``announced``), and its mark."""
    from services.applications.one_call import application_create_submitted

    application_create_submitted(applicant=UserFactory(), service=service, answers=VALID_ANSWERS)
    with CaptureQueriesContext(connection) as queries:
        applications_route_batch(limit=50)
    events = "applications_applicationevent"
    found = [q["sql"] for q in queries.captured_queries if '"announced"' in q["sql"] and "INSERT" not in q["sql"]]

    assert [sql.split()[0] for sql in found] == ["SELECT", "UPDATE"]
    assert_indexed(found, table=events)


def test_a_webhook_batch_and_the_sweep_read_the_deliveries_through_an_index(postgresql, health):
    """The deliveries that may be sent now (due, first in their line): the batch's claim and the sweep's."""
    subscription = Subscription.objects.create(name="Health case system", url="https://cases.health.example/events")
    for n in range(6):
        with transaction.atomic():
            event_record(type=f"{TYPE_PREFIX}application.submitted", source="/applications", subject=f"a-{n % 3}",
                         data={}, department_id=health.pk)  # fmt: skip
    Delivery.objects.filter(subscription=subscription, pk__in=Delivery.objects.values("pk")[:2]).update(
        status="delivered"
    )

    with CaptureQueriesContext(connection) as queries, mock.patch("services.events.sending.post") as post:
        post.return_value = sending.Answer(200, "", "", 1)
        deliveries_send(limit=50)
        deliveries_due(overdue_by=dt.timedelta(0))
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "events_delivery"."id"')]

    assert len(reads) == 2
    assert_indexed(reads, "events_delivery")


def test_the_outbox_purge_reads_an_index(postgresql):
    """The events purge finds old events by their time and asks for undelivered deliveries by the event: neither
    reads the whole outbox (millions of rows at a year's traffic)."""
    subscription = Subscription.objects.create(name="s", url="http://127.0.0.1:9/")
    for days in (100, 10):
        event = Event.objects.create(type="t", source="/s", time=timezone.now() - dt.timedelta(days=days))
        Delivery.objects.create(subscription=subscription, event=event, status=DeliveryStatus.DELIVERED)

    with CaptureQueriesContext(connection) as queries:
        events_purge()
    found = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "events_event"."id"')]

    assert found
    assert_indexed(found, "events_event")
    assert_indexed(found, "events_delivery")


def test_the_public_statistics_and_the_supervisors_dashboard_read_an_index(queue, health, client):
    """With the summaries of past days' decisions and submissions rebuilt (as beat does every hour), the public
    statistics (today's submissions and decisions) and the dashboard (today's decisions) read an index: none scans
    the decided ones of the 90-day window nor this month's submissions; the dashboard's open applications by queue,
    status and caseworker, and the overdue ones, are summed from their kept counts (by department, through its
    index), not counted from the applications; the caseworkers of its workload are read by their ids (their
    memberships read first: as a subquery, PostgreSQL merge-joined them with every user, residents and all)."""
    yesterday = timezone.now() - dt.timedelta(days=1)
    ApplicationFactory(
        service=ServiceFactory(department=health), approved=True, submitted_at=yesterday, decided_at=yesterday
    )
    decision_days_refresh(until=timezone.now())
    supervisor = StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
    staff_login(client, supervisor)

    queries = application_queries(lambda: public_statistics(today=queue["today"]))
    with CaptureQueriesContext(connection) as dashboard:
        client.get(reverse("admin:routing_backlog_changelist"))
    queries += [q["sql"] for q in dashboard.captured_queries if f'FROM "{TABLE}"' in q["sql"]]
    open_counts = [q["sql"] for q in dashboard.captured_queries if f'FROM "{OpenCount._meta.db_table}"' in q["sql"]]
    staff = [q["sql"] for q in dashboard.captured_queries if q["sql"].endswith('ORDER BY "accounts_user"."email" ASC')]

    assert len(queries) >= 3 and len(open_counts) == 3  # by department, by team queue, by caseworker
    assert_indexed(queries)
    assert_indexed(open_counts, OpenCount._meta.db_table)  # the kept counts, not the open applications
    assert len(staff) == 1 and "SELECT" not in staff[0].split("WHERE", 1)[1]  # the workload's people, by their ids
    assert_indexed(staff, "accounts_user")
    midnight = timezone.make_aware(dt.datetime.combine(queue["today"], dt.time.min))
    decided_since = [dt.datetime.fromisoformat(at) for sql in queries for at in DECIDED_SINCE.findall(sql)]
    assert decided_since and min(decided_since) >= midnight  # only today's decisions are read from the applications
    submitted_since = [dt.datetime.fromisoformat(at) for sql in queries for at in SUBMITTED_SINCE.findall(sql)]
    assert submitted_since and min(submitted_since) >= midnight  # and today's submissions (this month's: a summary)


def test_a_payment_notification_finds_its_payment_and_application_through_an_index(postgresql, health, settings):
    """The notification's one statement that finds and moves the payment by its order number (returning it with its
    application's reference), and the one that moves the application and notes it on its timeline."""
    application = ApplicationFactory(service=ServiceFactory(department=health), status=Status.SUBMITTED,
                                     fee_status=FeeStatus.DUE, fee_fen=2000)  # fmt: skip
    payment = Payment.objects.create(application=application, payer=application.applicant, amount_fen=2000,
                                     provider="fake", status="pending", expires_at=timezone.now())  # fmt: skip
    record = {"id": "FP-plan", "trade_number": payment.trade_number, "amount_fen": 2000, "status": "paid"}
    body, headers = fakeserver.notification(settings.FAKEPAY_SECRET, record)

    with CaptureQueriesContext(connection) as queries:
        assert (
            payment_notification_receive(provider="fake", headers=headers, body=body.encode()) == "paid: payment paid"
        )
    updates = [q["sql"] for q in queries.captured_queries if "UPDATE" in q["sql"]]

    assert len(updates) == 2
    assert_indexed(updates[:1], "payments_payment")
    assert_indexed(updates, TABLE)


def test_the_sweep_finds_the_bookings_whose_confirmation_is_due_through_an_index(postgresql):
    """The appointments sweep's read of the bookings whose confirmation task was lost (a handful among all the
    appointments ever booked)."""
    with CaptureQueriesContext(connection) as queries:
        bookings_confirm()
    found = [q["sql"] for q in queries.captured_queries if 'FROM "appointments_appointment"' in q["sql"]]

    assert len(found) == 1
    assert_indexed(found, "appointments_appointment")


def test_the_check_finds_a_table_scan(postgresql):
    """The check itself: a filter on a column no index covers plans a sequential scan even so."""
    assert "Seq Scan" in table_scans("""SELECT id FROM "applications_application" WHERE "decision_reason" = 'x'""")


def _executions(sql: str, params) -> list[tuple[str, str, list]]:
    """Each ``EXECUTE`` of a round trip of kept statements: its statement's name, its text and its values."""
    found, position = [], 0
    for text in sql.split(";\n"):
        count = text.count("%s")  # a PREPARE numbers its parameters ($1): only an EXECUTE takes values
        if text.startswith("EXECUTE "):
            found.append((text.split()[1].split("(")[0], text, list(params[position : position + count])))
        position += count
    return found


def test_the_prepared_statements_of_a_submission_and_a_move_read_an_index_in_their_generic_plans(queue, service):
    """A hot path's kept statements are prepared on the session (portal/db/postgresql/), and after five runs
    PostgreSQL may plan one once for any values (a generic plan) instead of for each. Those that a one-call
    submission and a move (the resident's withdrawal) run on the applications, each planned that way, read an
    index."""
    from services.applications.actions import application_withdraw
    from services.applications.one_call import application_create_submitted

    resident, sent = queue["resident"], []

    def kept(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kept):
        for _ in range(2):
            application, _event = application_create_submitted(
                applicant=resident, service=service, answers=VALID_ANSWERS
            )
            application_withdraw(application=application, by=resident)
    statements = {name: sql for sql, name in connection.prepared.items()}
    reads = {}  # the statement reading or changing the applications, by name: one run of it
    for sql, params in sent:
        for name, text, values in _executions(sql, params):
            statement = statements[name]
            if f'FROM "{TABLE}"' in statement or statement.startswith(f'UPDATE "{TABLE}"'):
                reads[statement] = (text, values)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        executed = [cursor.mogrify(text, values).decode() for text, values in reads.values()]

    assert any("FOR UPDATE" in statement for statement in reads)  # the move's lock
    assert any(statement.startswith("UPDATE") for statement in reads)  # and its save
    assert any('"answers"' in statement and "ORDER BY" in statement for statement in reads)  # the earlier answers
    for execute in executed:
        scans = table_scans(execute)
        assert scans and set(scans) == {"index"}, (scans, execute)
