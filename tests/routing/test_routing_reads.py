"""Routing reads little: the holiday calendar once per process for a while, and no row it has already loaded."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.calendar.models import CalendarDay
from services.calendar.selectors import working_calendar
from services.routing.actions import application_route
from tests.factories import VALID_ANSWERS, ApplicationFactory, ResidentProfileFactory

pytestmark = pytest.mark.django_db


def test_the_calendar_is_read_once_then_kept(calendar_kept, django_assert_num_queries):
    """A second look at the calendar within ROUTING_CONFIG_CACHE_SECONDS reads no database."""
    first = working_calendar()

    with django_assert_num_queries(0):
        again = working_calendar()

    assert again == first


def test_a_calendar_change_is_seen_at_once_in_the_process_that_made_it(calendar_kept):
    """Saving or deleting a calendar day drops the kept copy, so the next due date counts it."""
    day = timezone.localdate().replace(year=2031, month=3, day=3)  # a Monday
    assert working_calendar().is_working_day(day)

    made = CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.DAY_OFF, name="test")
    off = not working_calendar().is_working_day(day)
    made.delete()

    assert off
    assert working_calendar().is_working_day(day)


def test_routing_does_not_read_again_the_service_or_applicant_it_locked():
    """The event's notification uses the service, applicant and profile routing already loaded."""
    application = ApplicationFactory(submitted=True)

    with CaptureQueriesContext(connection) as queries:
        application_route(application_id=application.pk)

    reads = [q["sql"].split(" FROM ")[1].split()[0] for q in queries if q["sql"].startswith("SELECT")]
    assert '"accounts_user"' not in reads and '"catalogue_service"' not in reads
    assert reads.count('"accounts_residentprofile"') <= 1


def test_the_rules_are_kept_and_an_edit_is_seen_at_once_in_the_process_that_made_it(calendar_kept, health):
    """Routing reuses the rules it read; saving a rule (or a condition) makes the next routing read them again."""
    from services.routing.selectors import routing_rules_kept
    from tests.factories import RoutingRuleFactory, TeamFactory

    assert routing_rules_kept() == []
    rule = RoutingRuleFactory(
        name="everything", team=TeamFactory(department=health), conditions=[("category", "health")]
    )

    kept = routing_rules_kept()
    rule.is_active = False
    rule.save()

    assert [r.name for r in kept] == ["everything"]
    assert [c.kind for c in kept[0].conditions.all()] == ["category"]
    assert routing_rules_kept() == []


def test_the_admins_dry_run_reads_the_rules_afresh(calendar_kept, health, django_assert_num_queries):
    """routing_decide without ``rules`` always asks the database, whatever the workers keep."""
    from services.routing.conditions import RoutingFacts
    from services.routing.selectors import routing_decide, routing_rules_kept
    from tests.factories import ServiceFactory

    service = ServiceFactory(department=health)
    routing_rules_kept()
    facts = RoutingFacts(service=service.slug, category=service.category, district="", age=None, answers={})

    with django_assert_num_queries(1):
        routing_decide(service=service, facts=facts)
    with django_assert_num_queries(0):
        routing_decide(service=service, facts=facts, rules=routing_rules_kept())


# --- Routing in batches ----------------------------------------------------------------------------------------


def _statements_of_a_batch(count: int, *, service) -> tuple[int, list]:
    """Submit ``count`` applications in one call each (each its own resident: their submissions still to be told
    of), route them as one batch; return its statements."""
    from services.applications.one_call import application_create_submitted
    from services.routing.actions import applications_route_batch

    for _n in range(count):
        resident = ResidentProfileFactory().user
        application_create_submitted(applicant=resident, service=service, answers=VALID_ANSWERS)
    with CaptureQueriesContext(connection) as queries:
        routed = applications_route_batch(limit=50)
    assert len(routed) == count
    return len(queries), [q["sql"] for q in queries]


def test_a_batch_costs_the_same_statements_for_1_and_for_30_applications(service):
    """Routing 30 submitted applications in one batch costs the statements of routing 1, in one transaction: the
    locking read, the rules and the calendar (kept by a worker), the submissions still to be told of (one read, one
    UPDATE), one UPDATE, one INSERT of the routing events, the residents' phones (push) and one INSERT of the
    notifications, one of the outbox events (the submissions' and the routings'), the subscriptions with their
    departments and one INSERT of their deliveries."""
    if connection.vendor != "postgresql":
        pytest.skip("the statements of PostgreSQL's locking read (FOR UPDATE OF, SKIP LOCKED); SQLite locks the file")
    from services.events.models import Subscription

    Subscription.objects.create(name="Health case system", url="https://cases.health.example/events")

    one, _sql = _statements_of_a_batch(1, service=service)
    thirty, sql = _statements_of_a_batch(30, service=service)

    assert one == thirty == 15  # the rules and the calendar read afresh (ROUTING_CONFIG_CACHE_SECONDS = 0 here)
    assert "FOR UPDATE OF" in sql[1] and "SKIP LOCKED" in sql[1]
    assert '"form_schema"' not in sql[1]  # the service's form is not read (nor decoded) once per application
    assert [statement.split('"')[1] for statement in sql if statement.startswith("UPDATE")] == [
        "applications_applicationevent", "applications_application",
    ]  # fmt: skip
    inserts = [statement.split('"')[1] for statement in sql if statement.startswith("INSERT")]
    assert inserts == [
        "applications_applicationevent", "notifications_notification", "events_event", "events_delivery",
    ]  # fmt: skip


def test_a_batch_routes_each_once_and_a_redelivered_message_routes_nothing(service, django_capture_on_commit_callbacks):
    """Two runs of the batch task (a message delivered twice), then each application's own message: every
    application has one routing event, one notification and one outbox event, and its intake is published once, in
    one message for its department's queue."""
    from services.events.models import Event
    from services.notifications.models import Notification
    from services.routing.tasks import intake_applications, route_application, route_submitted

    applications = ApplicationFactory.create_batch(5, service=service, submitted=True)
    with django_capture_on_commit_callbacks() as first:
        assert route_submitted.run() == 5
    with django_capture_on_commit_callbacks() as again:
        assert route_submitted.run() == 0
        for application in applications:
            route_application.run(application.pk)

    ids = sorted(application.pk for application in applications)
    assert [callback.args[1] for callback in first if callback.args[0] is intake_applications] == [(ids,)]
    assert again == []
    for application in applications:
        assert application.events.filter(to_status="routed").count() == 1
    assert Event.objects.filter(type__endswith="application.routed").count() == 5
    assert Notification.objects.filter(event="routed", channel="in_app").count() == 5


def test_an_application_whose_routing_fails_is_left_out_of_the_batch_and_routed_on_its_own(
    service, education, django_capture_on_commit_callbacks
):
    """A rule that breaks on one application leaves the others routed; that one stays submitted and its own routing
    message (with its retries, then the failure flag) is published after the commit."""
    from services.routing import selectors
    from services.routing.actions import applications_route_batch
    from services.routing.tasks import route_application
    from tests.factories import ServiceFactory

    broken_service = ServiceFactory(department=education)
    good = ApplicationFactory.create_batch(3, service=service, submitted=True)
    broken = ApplicationFactory(service=broken_service, submitted=True)
    decide = selectors.routing_decide

    def routing_decide(*, service, facts, rules=None):
        if service == broken_service:
            raise RuntimeError("rule bug")
        return decide(service=service, facts=facts, rules=rules)

    with (
        mock.patch("services.routing.actions.routing_decide", routing_decide),
        mock.patch.object(route_application, "apply_async") as publish_one,
        django_capture_on_commit_callbacks(execute=True),
    ):
        routed = applications_route_batch(limit=50)

    assert sorted(a.pk for a in routed) == sorted(a.pk for a in good)
    broken.refresh_from_db()
    assert broken.status == "submitted" and not broken.events.exists()
    assert publish_one.call_args.args == ((broken.pk,), None)


def test_a_full_batch_wakes_another_worker_before_it_commits(service, django_capture_on_commit_callbacks, settings):
    """When a batch takes as many as it may, there may be more: it publishes the next batch's message at once (the
    rows it holds are skipped by the worker that takes it); a batch with room to spare publishes none."""
    from services.routing.actions import applications_route_batch
    from services.routing.tasks import route_submitted

    settings.CELERY_TASK_ALWAYS_EAGER = False  # published to a broker (the publish itself is mocked)
    ApplicationFactory.create_batch(3, service=service, submitted=True)
    with mock.patch.object(route_submitted, "apply_async") as wake, django_capture_on_commit_callbacks():
        assert len(applications_route_batch(limit=2)) == 2
        assert wake.call_count == 1
        route_submitted_again = applications_route_batch(limit=2)

    assert len(route_submitted_again) == 1
    assert wake.call_count == 1


def test_in_process_the_next_batch_runs_after_the_commit_and_routes_each_once(
    service, settings, django_capture_on_commit_callbacks
):
    """In the embedded mode (tasks run in-process) a full batch's next one runs after its commit, not inside its
    transaction (where this batch's own locks would not be skipped): 12 applications in batches of 5, each once."""
    from services.routing.tasks import route_submitted

    settings.ROUTING_BATCH_SIZE = 5
    applications = ApplicationFactory.create_batch(12, service=service, submitted=True)

    with django_capture_on_commit_callbacks(execute=True):  # the commit, and those its callbacks add
        route_submitted.run()

    for application in applications:
        assert application.events.filter(to_status="routed").count() == 1
