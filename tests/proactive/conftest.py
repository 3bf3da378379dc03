import datetime as dt

import pytest
from django.utils import timezone

from services.events.models import TYPE_PREFIX
from services.proactive.models import Mode, ProactiveRule, RuleStatus, Trigger
from tests.factories import ResidentProfileFactory, ServiceFactory

DECIDED = f"{TYPE_PREFIX}application.decided"
# A form with nothing left to ask: an offer taken up is submitted at once.
NOTHING_TO_ASK = {"type": "object", "properties": {"note": {"type": "string", "title": "Note", "x-title-zh": "备注"}}}


def born_years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


@pytest.fixture
def family_doctor(health):
    """The service offered: a family-doctor registration for people in Pudong or Minhang."""
    return ServiceFactory(
        department=health, slug="family-doctor", form_schema=NOTHING_TO_ASK,
        eligibility_rules=[{"kind": "district", "in": ["pudong", "minhang"]}],
    )  # fmt: skip


@pytest.fixture
def pudong_resident():
    return ResidentProfileFactory(district="pudong", date_of_birth=born_years_ago(30)).user


@pytest.fixture
def offer_after_approval(family_doctor, service):
    """An active rule: an application for ``service`` approved → the applicant is offered the family doctor."""
    return ProactiveRule.objects.create(
        service=family_doctor, name="Family doctor after approval", trigger=Trigger.EVENT, event_type=DECIDED,
        event_conditions={"service": service.slug, "status": "approved"}, mode=Mode.OFFER, status=RuleStatus.ACTIVE,
    )  # fmt: skip
