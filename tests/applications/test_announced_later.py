"""A submission's messages and outbox event are written by its next move (its routing, in the routing's batch), not
in the resident's request: each exactly once, before the next move's own, whatever that move is."""

import pytest

from services.applications.actions import application_submit, application_withdraw
from services.applications.models import ApplicationEvent, FeeStatus, Status
from services.applications.one_call import application_create_submitted
from services.events.models import Event
from services.notifications.models import Notification
from services.routing.actions import (
    application_routing_failed,
    application_routing_retry,
    applications_route_batch,
)
from tests.factories import VALID_ANSWERS, ApplicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def told_of_submission(application) -> int:
    event = application.events.get(to_status=Status.SUBMITTED)
    return Notification.objects.filter(event_key=f"application-event:{event.pk}", channel="in_app").count()


def outbox(application) -> list[str]:
    return [e.type.rsplit(".", 1)[1] for e in Event.objects.filter(subject=application.public_id).order_by("pk")]


def test_a_withdrawal_before_the_routing_tells_of_the_submission_first_and_the_routing_then_nothing(service, resident):
    application, _event = application_create_submitted(applicant=resident, service=service, answers=VALID_ANSWERS)
    assert (told_of_submission(application), outbox(application)) == (0, [])

    application_withdraw(application=application, by=resident)
    applications_route_batch(limit=10)

    assert (told_of_submission(application), outbox(application)) == (1, ["submitted", "withdrawn"])


def test_a_routing_that_failed_tells_of_the_submission_and_its_retry_does_not_again(
    service, resident, django_capture_on_commit_callbacks
):
    application, _event = application_create_submitted(applicant=resident, service=service, answers=VALID_ANSWERS)

    application_routing_failed(application_id=application.pk)
    told = (told_of_submission(application), outbox(application))
    with django_capture_on_commit_callbacks(execute=True):  # the retry's routing runs (eager)
        application_routing_retry(application=application, by=StaffFactory(is_superuser=True))

    assert told == (1, ["submitted"])
    assert (told_of_submission(application), outbox(application)) == (1, ["submitted", "routed"])


def test_a_submission_awaiting_its_fee_is_told_of_at_once(service, resident):
    """Its routing waits for the payment, so the request tells of it."""
    service.fee_rule = {"amount_fen": 5000}  # no waiver
    service.save()
    draft = ApplicationFactory(service=service, applicant=resident)

    application = application_submit(application=draft, by=resident)

    assert application.fee_status == FeeStatus.DUE
    assert (told_of_submission(application), outbox(application)) == (1, ["submitted"])
    assert not ApplicationEvent.objects.filter(announced=False).exists()
