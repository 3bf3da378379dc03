"""The rules in the admin: the dry run and switching on (a rule matching every resident only when confirmed), for
the supervisors of the service's department only."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from services.accounts.models import DepartmentMembership
from services.proactive.models import Entitlement, EntitlementStatus, ProactiveRule, RuleStatus, Trigger
from tests.conftest import staff_login
from tests.factories import ResidentProfileFactory, StaffFactory

pytestmark = pytest.mark.django_db
SUPERVISOR = DepartmentMembership.Role.SUPERVISOR


@pytest.fixture
def everyone_rule(family_doctor):
    """A periodic rule whose service every resident (both live in Pudong) qualifies for."""
    for _n in range(2):
        ResidentProfileFactory(district="pudong", id_number="")
    return ProactiveRule.objects.create(service=family_doctor, name="Everyone in Pudong", trigger=Trigger.PERIODIC)


def _url(rule) -> str:
    return f"/admin/proactive/proactiverule/{rule.pk}/dry-run/"


def test_the_dry_run_warns_and_switching_on_asks_for_confirmation(everyone_rule, health):
    client = staff_login(Client(), StaffFactory(department=health, department__role=SUPERVISOR))
    client.cookies["django_language"] = "en"

    page = client.get(_url(everyone_rule)).content.decode()
    assert "<strong>2</strong> / 2" in page
    assert "matches every resident (2)" in page

    refused = client.post(_url(everyone_rule), follow=True).content.decode()
    everyone_rule.refresh_from_db()
    assert everyone_rule.status == RuleStatus.DRAFT
    assert "Confirm that this is intended" in refused

    client.post(_url(everyone_rule), {"everyone": "1"})
    everyone_rule.refresh_from_db()
    assert everyone_rule.status == RuleStatus.ACTIVE
    client.post(_url(everyone_rule), {"switch": "off"})
    everyone_rule.refresh_from_db()
    assert everyone_rule.status == RuleStatus.DRAFT


def test_another_departments_supervisor_and_a_caseworker_cannot_reach_it(everyone_rule, education, health):
    other = staff_login(Client(), StaffFactory(department=education, department__role=SUPERVISOR))
    caseworker = staff_login(Client(), StaffFactory(department=health))

    assert other.get(_url(everyone_rule)).status_code == 404
    assert other.post(_url(everyone_rule), {"everyone": "1"}).status_code == 404
    assert caseworker.get("/admin/proactive/proactiverule/").status_code == 403
    everyone_rule.refresh_from_db()
    assert everyone_rule.status == RuleStatus.DRAFT


def test_the_demo_offers_the_family_doctor_to_the_demo_resident_once(settings):
    """make run: load_demo, then load_proactive_demo (twice: nothing new) leaves one offer for the demo resident."""
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_proactive_demo")
    call_command("load_proactive_demo")

    offer = Entitlement.objects.get(person__email="resident@demo.portal")
    assert (offer.service.slug, offer.status) == ("family-doctor-registration", EntitlementStatus.OFFERED)
    assert ProactiveRule.objects.filter(status=RuleStatus.ACTIVE).count() == 4  # two of them wait for a birth
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_proactive_demo")
