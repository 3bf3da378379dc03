"""The periodic check (turning 60), the dry run over every resident, and switching a rule on."""

import io

import pytest
from django.core.management import call_command

from services.common.errors import ValidationFailed
from services.notifications.models import Notification
from services.proactive.actions import proactive_offers_set, rule_activate, rule_run
from services.proactive.models import Entitlement, Mode, Period, ProactiveRule, RuleStatus, Trigger
from services.proactive.selectors import rule_dry_run, rule_matches
from services.proactive.tasks import run_periodic_rules
from tests.factories import ResidentProfileFactory, ServiceFactory, StaffFactory

from .conftest import NOTHING_TO_ASK, born_years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def senior_card(health):
    """A service for residents aged 60 or older."""
    return ServiceFactory(department=health, slug="senior-card", form_schema=NOTHING_TO_ASK,
                          eligibility_rules=[{"kind": "age", "min": 60}])  # fmt: skip


@pytest.fixture
def turning_60(senior_card):
    return ProactiveRule.objects.create(service=senior_card, name="Senior card at 60", trigger=Trigger.PERIODIC,
                                        mode=Mode.OFFER, period=Period.ONCE)  # fmt: skip


def _resident(years: int, days: int = 0, **fields):
    return ResidentProfileFactory(date_of_birth=born_years_ago(years, days), id_number="", **fields).user


def test_the_age_edges_are_the_eligibility_rules_own(turning_60):
    """60 today is in, 60 tomorrow is not: the SQL narrowing never decides, the service's rules do."""
    sixty_today, sixty_yesterday, sixty_tomorrow = _resident(60), _resident(60, 1), _resident(60, -1)
    _resident(59)
    _resident(30)

    matched = {user_id for user_id, _facts in rule_matches(rule=turning_60)}

    assert matched == {sixty_today.pk, sixty_yesterday.pk}
    assert sixty_tomorrow.pk not in matched


def test_the_daily_check_offers_once_and_skips_who_turned_offers_off(turning_60):
    rule_activate(rule=turning_60, by=None)
    senior, declined_offers = _resident(61), _resident(70)
    _resident(40)
    StaffFactory(is_staff=True)
    proactive_offers_set(user=declined_offers, on=False)

    assert run_periodic_rules() == 1
    assert run_periodic_rules() == 0  # the next day: nothing new for the same person

    assert list(Entitlement.objects.values_list("person", flat=True)) == [senior.pk]


def test_the_dry_run_counts_without_writing_and_shows_progress(turning_60):
    for years in (61, 65, 20):
        _resident(years)
    progress = []

    result = rule_dry_run(rule=turning_60, on_progress=lambda checked, total: progress.append((checked, total)))

    assert (result.matched, result.residents, result.everyone) == (2, 3, False)
    assert progress == [(2, 2)]  # the age narrowed the residents to check to two
    assert not Entitlement.objects.exists()


def test_a_rule_matching_every_resident_is_switched_on_only_when_confirmed(turning_60):
    _resident(61)
    _resident(75)
    admin = StaffFactory(is_superuser=True)

    with pytest.raises(ValidationFailed) as refused:
        rule_activate(rule=turning_60, by=admin)
    assert "所有居民（2 人）" in str(refused.value)  # the default language
    turning_60.refresh_from_db()
    assert turning_60.status == RuleStatus.DRAFT

    rule_activate(rule=turning_60, by=admin, everyone_confirmed=True)
    turning_60.refresh_from_db()
    assert (turning_60.status, turning_60.activated_by) == (RuleStatus.ACTIVE, admin)


def test_the_command_dry_runs_with_progress_and_runs(turning_60):
    _resident(61)
    _resident(30)
    out, err = io.StringIO(), io.StringIO()

    call_command("proactive_rule", str(turning_60.pk), stdout=out, stderr=err)
    assert "would offer to 1 of 2 residents" in out.getvalue()
    assert "1 of 1 residents checked" in err.getvalue()
    assert not Entitlement.objects.exists()

    call_command("proactive_rule", str(turning_60.pk), "--run", stdout=out, stderr=err)
    assert "1 entitlements made" in out.getvalue()
    assert rule_run(rule=turning_60) == 0


def test_a_periodic_rule_that_grants_makes_approved_applications(turning_60, django_capture_on_commit_callbacks):
    """免申即享 on the daily check: each qualifying resident gets an approved application and is told."""
    turning_60.mode = Mode.GRANT
    turning_60.save()
    rule_activate(rule=turning_60, by=None)
    senior = _resident(62)

    with django_capture_on_commit_callbacks(execute=True):
        assert run_periodic_rules() == 1

    entitlement = Entitlement.objects.get()
    assert (entitlement.person, entitlement.status, entitlement.application.status) == (senior, "granted", "approved")


def test_offers_are_made_in_batches_and_each_resident_is_told_once(turning_60, monkeypatch):
    monkeypatch.setattr("services.proactive.actions.OFFERS_AT_ONCE", 2)
    rule_activate(rule=turning_60, by=None)
    seniors = {_resident(60 + n).pk for n in range(5)}

    assert rule_run(rule=turning_60) == 5

    assert set(Entitlement.objects.values_list("person", flat=True)) == seniors
    told = Notification.objects.filter(event="entitlement_offered", channel="in_app")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(seniors)
