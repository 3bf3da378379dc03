"""Rules triggered by the outbox's events: an application approved for one service offers another; the same
event delivered twice makes one entitlement; confirmed, the offer becomes a routed application."""

import pytest

from services.applications.actions import application_decide
from services.applications.models import Application, Status
from services.events.actions import event_react
from services.events.models import Event
from services.events.tasks import react_to_event, sweep_reactions
from services.notifications.models import Notification
from services.proactive.actions import entitlement_confirm, proactive_offers_set
from services.proactive.models import Entitlement, EntitlementStatus, Mode, ProactiveRule, RuleStatus
from tests.factories import ApplicationFactory, ResidentProfileFactory, ServiceFactory

from .conftest import DECIDED, NOTHING_TO_ASK

pytestmark = pytest.mark.django_db


def _approve(application, by, callbacks_fixture):
    with callbacks_fixture(execute=True):
        application_decide(application=application, by=by, approve=True)


def test_an_approval_offers_the_other_service_once_even_delivered_twice(
    offer_after_approval, pudong_resident, service, health_caseworker, django_capture_on_commit_callbacks
):
    """The approval's event reaches the rule once its transaction commits; the message delivered again, or the
    event handed to the listeners again (a sweep racing a slow worker), makes nothing new."""
    application = ApplicationFactory(applicant=pudong_resident, service=service, in_review=True,
                                     assignee=health_caseworker)  # fmt: skip

    _approve(application, health_caseworker, django_capture_on_commit_callbacks)

    entitlement = Entitlement.objects.get()
    assert (entitlement.person, entitlement.service, entitlement.status) == (
        pudong_resident,
        offer_after_approval.service,
        EntitlementStatus.OFFERED,
    )
    assert entitlement.facts["district"] == "pudong"
    assert entitlement.facts["trigger"]["type"] == DECIDED
    event = Event.objects.get(type=DECIDED)
    assert not event.reactions_pending
    assert Notification.objects.filter(recipient=pudong_resident, event="entitlement_offered").exists()

    react_to_event(event.pk)  # the same message delivered again
    Event.objects.filter(pk=event.pk).update(reactions_pending=True)
    assert event_react(event_id=event.pk) is True  # handed to the listeners again
    assert Entitlement.objects.count() == 1


def test_conditions_on_the_event_and_the_rules_of_the_service_decide(
    offer_after_approval, service, health_caseworker, django_capture_on_commit_callbacks
):
    """A rejection does not match the rule's conditions; an approval for someone outside the offered service's
    districts matches the trigger but not the eligibility rules: no offer either way."""

    jingan = ResidentProfileFactory(district="jingan").user
    rejected = ApplicationFactory(applicant=jingan, service=service, in_review=True, assignee=health_caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(application=rejected, by=health_caseworker, approve=False, reason="No.")
    approved = ApplicationFactory(applicant=jingan, service=service, in_review=True, assignee=health_caseworker)
    _approve(approved, health_caseworker, django_capture_on_commit_callbacks)

    assert not Entitlement.objects.exists()


def test_confirming_makes_an_application_that_is_routed(
    offer_after_approval, pudong_resident, service, health_caseworker, django_capture_on_commit_callbacks
):
    """One tap: the application is made from the facts, submitted for the resident and routed to the department."""
    application = ApplicationFactory(applicant=pudong_resident, service=service, in_review=True,
                                     assignee=health_caseworker)  # fmt: skip
    _approve(application, health_caseworker, django_capture_on_commit_callbacks)
    entitlement = Entitlement.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        entitlement = entitlement_confirm(entitlement=entitlement, by=pudong_resident)

    assert entitlement.status == EntitlementStatus.CONFIRMED
    made = Application.objects.get(pk=entitlement.application_id)
    assert (made.applicant, made.service, made.status) == (pudong_resident, offer_after_approval.service,
                                                           Status.ROUTED)  # fmt: skip
    assert made.department == offer_after_approval.service.department


def test_a_rule_that_grants_approves_at_once_and_says_how_to_object(
    offer_after_approval, pudong_resident, service, health_caseworker, django_capture_on_commit_callbacks
):
    """免申即享: the application is approved by the system for the department, and the resident is told."""
    offer_after_approval.mode = Mode.GRANT
    offer_after_approval.save()
    application = ApplicationFactory(applicant=pudong_resident, service=service, in_review=True,
                                     assignee=health_caseworker)  # fmt: skip

    _approve(application, health_caseworker, django_capture_on_commit_callbacks)

    entitlement = Entitlement.objects.get()
    assert entitlement.status == EntitlementStatus.GRANTED
    granted = entitlement.application
    assert (granted.status, granted.department, granted.applicant) == (Status.APPROVED, service.department,
                                                                       pudong_resident)  # fmt: skip
    message = Notification.objects.get(recipient=pudong_resident, event="entitlement_granted", channel="in_app")
    assert message.payload["reference"] == granted.reference
    assert "Pudong" in " ".join(message.payload["reasons"]["en"])


def test_offers_turned_off_make_nothing(
    offer_after_approval, pudong_resident, service, health_caseworker, django_capture_on_commit_callbacks
):
    proactive_offers_set(user=pudong_resident, on=False)
    application = ApplicationFactory(applicant=pudong_resident, service=service, in_review=True,
                                     assignee=health_caseworker)  # fmt: skip

    _approve(application, health_caseworker, django_capture_on_commit_callbacks)

    assert not Entitlement.objects.exists()


def test_the_sweep_catches_up_a_lost_message(
    offer_after_approval, pudong_resident, service, health_caseworker, django_capture_on_commit_callbacks
):
    """The approval committed but its reaction's message was lost: the sweep hands the event over later."""
    application = ApplicationFactory(applicant=pudong_resident, service=service, in_review=True,
                                     assignee=health_caseworker)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):  # the messages never sent
        application_decide(application=application, by=health_caseworker, approve=True)
    assert Event.objects.get(type=DECIDED).reactions_pending
    assert sweep_reactions() == 0  # too recent: its message may still be on its way

    Event.objects.filter(type=DECIDED).update(time=Event.objects.get(type=DECIDED).time.replace(year=2020))
    assert sweep_reactions() == 1

    assert Entitlement.objects.get().person == pudong_resident
    assert not Event.objects.get(type=DECIDED).reactions_pending


def test_a_rule_that_cannot_act_does_not_stop_the_others(
    offer_after_approval, pudong_resident, service, health_caseworker, django_capture_on_commit_callbacks
):
    """A grant for a service closed since is logged and skipped; the event is done and the offer rule still acts."""
    closed = ServiceFactory(department=service.department, is_active=False, form_schema=NOTHING_TO_ASK)
    ProactiveRule.objects.create(service=closed, name="Closed", event_type=DECIDED, mode=Mode.GRANT,
                                 status=RuleStatus.ACTIVE)  # fmt: skip
    application = ApplicationFactory(applicant=pudong_resident, service=service, in_review=True,
                                     assignee=health_caseworker)  # fmt: skip

    _approve(application, health_caseworker, django_capture_on_commit_callbacks)

    assert list(Entitlement.objects.values_list("service", flat=True)) == [offer_after_approval.service_id]
    assert not Event.objects.get(type=DECIDED).reactions_pending
