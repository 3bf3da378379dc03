"""Routing rules as data: ordered rules of registry conditions, the first that holds decides; the admin's dry run."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from services.accounts.models import ResidentProfile
from services.applications.models import Priority
from services.routing.conditions import CONDITIONS, RoutingFacts, age_on
from services.routing.models import RoutingCondition
from services.routing.selectors import routing_decide, routing_facts
from tests.conftest import staff_login
from tests.factories import (
    ApplicationFactory,
    DepartmentFactory,
    RoutingRuleFactory,
    ServiceFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def services(health):
    employment = DepartmentFactory(code="employment", reference_prefix="EMP")
    return {
        "family-doctor": ServiceFactory(slug="family-doctor", category="health", department=health),
        "vaccination": ServiceFactory(slug="vaccination", category="health", department=health),
        "unemployment": ServiceFactory(slug="unemployment", category="work", department=employment),
    }


@pytest.fixture
def rules(services, health):
    employment = services["unemployment"].department
    team = lambda department, code: TeamFactory(department=department, code=code)  # noqa: E731
    RoutingRuleFactory(
        name="urgent health",
        team=team(health, "urgent"),
        priority=Priority.URGENT,
        conditions=[("category", "health"), ("answer", "urgent", "true")],
    )
    RoutingRuleFactory(
        name="pudong family doctors",
        team=team(health, "pudong"),
        conditions=[("service", "family-doctor"), ("district", "pudong, minhang")],
    )
    RoutingRuleFactory(
        name="seniors",
        team=team(health, "seniors"),
        priority=Priority.HIGH,
        conditions=[("age_at_least", "65"), ("category", "health")],
    )
    RoutingRuleFactory(
        name="young job seekers",
        team=team(employment, "youth"),
        conditions=[("category", "work"), ("age_under", "25")],
    )
    RoutingRuleFactory(name="switched off", team=team(health, "never"), is_active=False)
    RoutingRuleFactory(name="all work", team=team(employment, "intake"), conditions=[("category", "work")])


@pytest.mark.parametrize(
    ("service", "district", "age", "answers", "rule", "team", "priority"),
    [
        ("family-doctor", "pudong", 40, {"urgent": True}, "urgent health", "urgent", Priority.URGENT),
        ("vaccination", "", None, {"urgent": True}, "urgent health", "urgent", Priority.URGENT),
        ("family-doctor", "pudong", 40, {"urgent": False}, "pudong family doctors", "pudong", Priority.NORMAL),
        ("family-doctor", "minhang", 80, {}, "pudong family doctors", "pudong", Priority.NORMAL),  # order decides
        ("family-doctor", "pudong", 70, {"urgent": 1}, "pudong family doctors", "pudong", Priority.NORMAL),  # 1 ≠ yes
        ("family-doctor", "xuhui", 65, {}, "seniors", "seniors", Priority.HIGH),
        ("vaccination", "xuhui", 64, {}, None, None, Priority.NORMAL),  # nothing holds: the service's department
        ("family-doctor", "", None, {}, None, None, Priority.NORMAL),  # unknown district and age hold nothing
        ("unemployment", "minhang", 24, {}, "young job seekers", "youth", Priority.NORMAL),
        ("unemployment", "minhang", 25, {}, "all work", "intake", Priority.NORMAL),
        ("unemployment", "", None, {"urgent": True}, "all work", "intake", Priority.NORMAL),
    ],
)
def test_the_first_rule_whose_conditions_all_hold_decides(
    rules, services, service, district, age, answers, rule, team, priority
):
    service = services[service]
    facts = RoutingFacts(service=service.slug, category=service.category, district=district, age=age, answers=answers)

    decision = routing_decide(service=service, facts=facts)

    assert (decision.rule and decision.rule.name) == rule
    assert (decision.team and decision.team.code) == team
    assert decision.priority == priority
    assert decision.department == (decision.team.department if decision.team else service.department)
    assert [outcome.failed is None for outcome in decision.trace][-1:] == ([True] if rule else [False])
    assert "switched off" not in [outcome.rule.name for outcome in decision.trace]


def test_a_condition_that_no_longer_parses_never_matches(services, health):
    """A stored value that became invalid (e.g. edited outside the admin) makes its rule not apply, never crash."""
    rule = RoutingRuleFactory(name="broken", team=TeamFactory(department=health))
    RoutingCondition.objects.create(rule=rule, kind="age_at_least", value="old")
    RoutingCondition.objects.create(rule=RoutingRuleFactory(team=rule.team), kind="gone_kind", value="x")
    service = services["vaccination"]

    decision = routing_decide(service=service, facts=RoutingFacts(service=service.slug, age=99))

    assert decision.rule is None
    assert [outcome.failed.value for outcome in decision.trace] == ["old", "x"]


def test_routing_facts_come_from_the_profile_on_the_day_of_submission(services):
    """District and age (on the submission date, in Shanghai) come from the resident's profile."""
    resident = UserFactory()
    ResidentProfile.objects.create(user=resident, district="pudong", date_of_birth=dt.date(1961, 3, 2))
    submitted_at = timezone.make_aware(dt.datetime(2026, 3, 1, 23, 30))  # still 1 March in Shanghai
    application = ApplicationFactory(
        applicant=resident, service=services["family-doctor"], answers={"urgent": True}, submitted_at=submitted_at
    )

    facts = routing_facts(application=application)

    assert facts == RoutingFacts(
        service="family-doctor", category="health", district="pudong", age=64, answers={"urgent": True}
    )
    assert routing_facts(application=ApplicationFactory(service=services["vaccination"])).age is None  # no profile


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [("2000-02-29", "2026-02-28", 25), ("2000-02-29", "2026-03-01", 26), ("1961-03-02", "2026-03-02", 65)],
)
def test_age_counts_whole_years(born, day, age):
    assert age_on(dt.date.fromisoformat(born), dt.date.fromisoformat(day)) == age


@pytest.mark.parametrize(
    ("kind", "question", "value", "error_field"),
    [
        ("district", "", "pudong,atlantis", "value"),
        ("district", "", " , ", "value"),
        ("age_at_least", "", "sixty", "value"),
        ("age_under", "", "200", "value"),
        ("answer", "", "true", "question"),
        ("service", "", "family-doctor", None),
        ("answer", "urgent", "true", None),
        ("answer", "kind", "a", None),
    ],
)
def test_conditions_are_checked_when_staff_save_them(health, kind, question, value, error_field):
    """Each kind parses its value (and an answer condition needs a question) before a rule can be saved."""
    condition = RoutingCondition(rule=RoutingRuleFactory(team=TeamFactory(department=health)), kind=kind,
                                 question=question, value=value)  # fmt: skip
    if error_field is None:
        condition.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            condition.full_clean()
        assert error_field in error.value.message_dict


def test_every_condition_kind_has_a_label_and_an_evaluator():
    """The registry is the single list of kinds: the admin's choices come from it."""
    assert {kind for kind, _label in RoutingCondition._meta.get_field("kind").choices} == set(CONDITIONS)


# --- In the admin ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client():
    client = Client(headers={"accept-language": "en"})
    return staff_login(client, StaffFactory(is_superuser=True))


def test_staff_edit_rules_with_their_conditions_in_the_admin(admin_client, health):
    """A rule and its conditions are one admin form; a bad condition is refused with its error."""
    team = TeamFactory(department=health)
    url = reverse("admin:routing_routingrule_add")
    form = {
        "name": "Pudong seniors",
        "position": "5",
        "team": team.pk,
        "priority": Priority.HIGH,
        "is_active": "on",
        "conditions-TOTAL_FORMS": "2",
        "conditions-INITIAL_FORMS": "0",
        "conditions-0-kind": "district",
        "conditions-0-value": "pudong",
        "conditions-1-kind": "age_at_least",
        "conditions-1-value": "sixty",
    }

    refused = admin_client.post(url, form)
    assert refused.status_code == 200
    assert "Enter an age in whole years" in refused.content.decode()

    saved = admin_client.post(url, {**form, "conditions-1-value": "60"})
    assert saved.status_code == 302
    changelist = admin_client.get(reverse("admin:routing_routingrule_changelist")).content.decode()
    assert "Pudong seniors" in changelist
    assert "resident&#x27;s district is one of pudong; resident&#x27;s age is at least 60" in changelist


def test_dry_run_shows_where_an_application_would_go_and_which_rule_decided(admin_client, rules, services):
    """Given a service and a resident's facts, the dry run names the deciding rule and the rules tried before."""
    url = reverse("admin:routing_routingrule_dry_run")
    response = admin_client.get(
        url, {"service": services["family-doctor"].pk, "district": "xuhui", "age": "70", "answers": '{"urgent": false}'}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Rule “seniors” decides." in page
    assert "does not hold: the answer to the question is urgent true" in page
    assert "Seniors team" in page


def test_dry_run_of_an_existing_application_by_reference(admin_client, rules, services):
    """An application's reference gives its real facts; an unknown reference is a form error."""
    application = ApplicationFactory(service=services["unemployment"], submitted=True)

    found = admin_client.get(reverse("admin:routing_routingrule_dry_run"), {"reference": application.reference})
    missing = admin_client.get(reverse("admin:routing_routingrule_dry_run"), {"reference": "NOP-2026-000001"})

    assert "Rule “all work” decides." in found.content.decode()
    assert "No such application in your queues." in missing.content.decode()
    assert admin_client.get(reverse("admin:routing_routingrule_dry_run"), {"age": "3"}).status_code == 200


def test_caseworkers_cannot_see_or_try_the_rules(health):
    """Rules are edited by administrators: a caseworker without the permission is refused."""
    client = Client()
    staff_login(client, StaffFactory(department=health))

    assert client.get(reverse("admin:routing_routingrule_dry_run")).status_code == 403
    assert client.get(reverse("admin:routing_routingrule_changelist")).status_code == 403
