"""The city view's two panels read from lower apps: proactive uptake per service (services.proactive) and changes of
circumstances left unacknowledged per department (services.circumstances). Their figures equal those counted here
from the raw rows (property-based over random rows), counts of 1 to 4 are withheld, and both reach the open data."""

import json

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.circumstances.models import Acknowledgement, AckStatus, Change, Kind
from services.proactive.models import Entitlement, EntitlementStatus, Mode, ProactiveRule, RuleStatus, Trigger
from services.statistics.actions import city_supervisor_grant
from services.statistics.city import city_view
from services.statistics.selectors import MINIMUM_APPLICATIONS
from tests.conftest import staff_login
from tests.factories import DepartmentFactory, ServiceFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def world():
    departments = [DepartmentFactory(code="health"), DepartmentFactory(code="education")]
    services = [ServiceFactory(department=departments[0]), ServiceFactory(department=departments[1])]
    rules = [
        ProactiveRule.objects.create(
            service=service,
            name=f"Offer {service.slug}",
            trigger=Trigger.PERIODIC,
            mode=Mode.OFFER,
            status=RuleStatus.ACTIVE,
        )  # fmt: skip
        for service in services
    ]
    return {"departments": departments, "services": services, "rules": rules, "person": UserFactory()}


def _make(world, entitlements, acknowledgements) -> None:
    for number, (index, status) in enumerate(entitlements):
        rule = world["rules"][index]
        Entitlement.objects.create(rule=rule, service=rule.service, person=world["person"], period=str(number),
                                   status=status)  # fmt: skip
    for index, status, escalated in acknowledgements:
        change = Change.objects.create(user=world["person"], kind=Kind.PHONE, effective_date=TODAY)
        Acknowledgement.objects.create(
            change=change, department=world["departments"][index], status=status,
            escalated_at=timezone.now() if escalated else None,
        )  # fmt: skip


def _check(stat, n: int, *, part: bool = False) -> None:
    """A figure is the raw count when 0 or 5 or more, withheld when 1 to 4; a ``part`` of a total may be withheld
    also when 5 or more (secondary suppression, checked by _check_parts)."""
    if 0 < n < MINIMUM_APPLICATIONS:
        assert (stat.value, stat.status) == (None, "few"), (stat, n)
    else:
        assert (stat.value, stat.status) in ((n, "shown"), (None, "few") if part else (n, "shown")), (stat, n)


def _check_parts(figures: dict, parts: dict[str, int], *, total: str, rest: int) -> None:
    """The parts of a ``total`` (with its unpublished ``rest``): when the total is shown, what is withheld of them,
    rest included, is 0 or at least 5, so that it cannot be worked out from the total."""
    for name, n in parts.items():
        _check(figures[name], n, part=True)
    hidden = rest + sum(n for name, n in parts.items() if not figures[name].shown)
    assert not (figures[total].shown and 0 < hidden < MINIMUM_APPLICATIONS), (figures, parts, rest)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entitlements=st.lists(st.tuples(st.integers(0, 1), st.sampled_from(EntitlementStatus.values)), max_size=16),
    acknowledgements=st.lists(
        st.tuples(st.integers(0, 1), st.sampled_from(AckStatus.values), st.booleans()), max_size=16
    ),
)
def test_the_panels_equal_the_raw_rows_with_small_counts_withheld(world, entitlements, acknowledgements):
    with transaction.atomic():
        savepoint = transaction.savepoint()
        _make(world, entitlements, acknowledgements)
        view = city_view(today=TODAY)
        transaction.savepoint_rollback(savepoint)

    for index, service in enumerate(world["services"]):
        made = [status for i, status in entitlements if i == index]
        row = [row for row in view.uptake if row.code == service.slug]
        if not made:
            assert row == []
            continue
        offered = len([s for s in made if s != EntitlementStatus.GRANTED])
        answered = {s: made.count(s) for s in ("confirmed", "declined")}
        _check(row[0].offered, offered)
        _check(row[0].granted, made.count(EntitlementStatus.GRANTED))
        _check_parts(row[0].figures, answered, total="offered", rest=offered - sum(answered.values()))
    for index, department in enumerate(world["departments"]):
        pending = [esc for i, status, esc in acknowledgements if i == index and status == AckStatus.PENDING]
        row = [row for row in view.unacknowledged if row.code == department.code]
        if not pending:
            assert row == []
            continue
        _check(row[0].pending, len(pending))
        _check_parts(row[0].figures, {"escalated": sum(pending)}, total="pending", rest=len(pending) - sum(pending))


def test_the_page_and_the_open_data_show_the_panels(client, world):
    health, education = world["departments"]
    _make(world, [(0, EntitlementStatus.CONFIRMED)] * 6 + [(1, EntitlementStatus.GRANTED)] * 2,
          [(0, AckStatus.PENDING, True)] * 5 + [(1, AckStatus.PENDING, False)])  # fmt: skip
    supervisor = StaffFactory()
    city_supervisor_grant(user=supervisor)
    client.cookies["django_language"] = "en"

    page = staff_login(client, supervisor).get(reverse("statistics:city")).content.decode()
    data = json.loads(client.get(reverse("statistics:city-open-data-json")).content)

    assert "Proactive uptake" in page and "Changes of circumstances left unacknowledged" in page
    assert world["services"][1].title_en in page and education.name_en in page
    rows = {(row["table"], row["code"], row["figure"]): (row["value"], row["status"]) for row in data["rows"]}
    slugs = [service.slug for service in world["services"]]
    assert rows["proactive_uptake", slugs[0], "confirmed"] == (6, "shown")
    assert rows["proactive_uptake", slugs[1], "granted"] == (None, "few")
    assert rows["unacknowledged_changes", "health", "escalated"] == (5, "shown")
    assert rows["unacknowledged_changes", "education", "pending"] == (None, "few")

    client.cookies["django_language"] = "zh-hans"
    page_zh = client.get(reverse("statistics:city")).content.decode()
    assert "尚未确认的情况变更" in page_zh and "自动给予" in page_zh and "待确认" in page_zh


def test_a_count_that_would_give_away_an_unpublished_rest_is_withheld(world):
    """7 offers of which 6 confirmed (1 still open), 6 pending of which 5 escalated (1 not): showing 6 confirmed or 5
    escalated would tell the 1 by difference."""
    _make(
        world,
        [(0, EntitlementStatus.CONFIRMED)] * 6 + [(0, EntitlementStatus.OFFERED)],
        [(0, AckStatus.PENDING, True)] * 5 + [(0, AckStatus.PENDING, False)],
    )

    view = city_view(today=TODAY)

    (uptake,), (unacknowledged,) = view.uptake, view.unacknowledged
    assert (uptake.offered.value, uptake.confirmed.status, uptake.declined.value) == (7, "few", 0)
    assert (unacknowledged.pending.value, unacknowledged.escalated.status) == (6, "few")
