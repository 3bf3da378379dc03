"""Routing reads little: the holiday calendar once per process for a while, and no row it has already loaded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.calendar.models import CalendarDay
from services.calendar.selectors import working_calendar
from services.common.kept import forget_kept
from services.routing.actions import application_route
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar_kept(settings):
    settings.ROUTING_CONFIG_CACHE_SECONDS = 300
    forget_kept()
    yield
    forget_kept()


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
