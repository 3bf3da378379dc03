"""The embedded mode's demo routing: teams, rules and bundles over the demo catalogue, idempotent."""

import pytest
from django.core.management import CommandError, call_command

from services.routing.models import Bundle, RoutingCondition, RoutingRule, Team

pytestmark = pytest.mark.django_db


def test_load_routing_demo_twice_gives_the_same_valid_data(settings):
    """Three teams (one assigning automatically to the demo caseworker), three rules, two bundles."""
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_routing_demo")
    call_command("load_routing_demo")

    assert Team.objects.count() == 3
    pudong = Team.objects.get(department__code="health", code="pudong")
    assert pudong.auto_assign
    assert list(pudong.members.values_list("email", flat=True)) == ["health.caseworker@demo.portal"]
    assert RoutingRule.objects.count() == 3
    assert RoutingCondition.objects.count() == 6
    assert {b.slug: b.services.count() for b in Bundle.objects.all()} == {"new-baby": 2, "lost-my-job": 3}


def test_load_routing_demo_refuses_outside_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_routing_demo")
