"""Every move of an application is written to the outbox as a CloudEvent, in the move's own transaction."""

import uuid

import pytest
from django.db import transaction

from services.applications.actions import application_claim, application_submit, application_withdraw
from services.applications.models import Status
from services.events.actions import event_record
from services.events.models import TYPE_PREFIX, Delivery, Event, Subscription
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_a_move_writes_one_cloudevent_with_a_stable_id(service, resident):
    """Submitting writes ``application.submitted`` in the CloudEvents 1.0 format, naming no person (written by its
    routing, before the routing's own, with the time of the submission)."""
    from services.routing.actions import applications_route_batch

    application = ApplicationFactory(service=service, applicant=resident)

    application_submit(application=application, by=resident)
    assert not Event.objects.exists()
    applications_route_batch(limit=10)

    event, routed = Event.objects.order_by("pk")
    assert routed.type == f"{TYPE_PREFIX}application.routed"
    assert event.time == application.events.get(to_status="submitted").created_at
    cloudevent = event.as_cloudevent()
    assert cloudevent["specversion"] == "1.0"
    assert cloudevent["type"] == f"{TYPE_PREFIX}application.submitted"
    assert cloudevent["source"] == "/applications"
    assert cloudevent["subject"] == str(application.public_id)
    assert uuid.UUID(cloudevent["id"]) == event.event_id
    assert cloudevent["datacontenttype"] == "application/json"
    assert cloudevent["data"]["reference"] == application.reference
    assert cloudevent["data"]["department"] == service.department.code
    assert cloudevent["data"]["status"] == "submitted" and cloudevent["data"]["previous_status"] == "draft"
    assert resident.email not in str(cloudevent)
    event.refresh_from_db()
    assert event.as_cloudevent() == cloudevent  # the same id and body however often it is read


@pytest.mark.parametrize(
    ("status", "move", "name"),
    [
        (Status.ROUTED, lambda a, by, r: application_claim(application=a, by=by), "claimed"),
        (Status.IN_REVIEW, lambda a, by, r: application_withdraw(application=a, by=r), "withdrawn"),
    ],
)
def test_each_move_has_its_type(service, health_caseworker, status, move, name):
    application = ApplicationFactory.in_status(status, service=service)

    move(application, health_caseworker, application.applicant)

    assert Event.objects.get().type == f"{TYPE_PREFIX}application.{name}"


def test_a_move_that_rolls_back_leaves_no_event(service, resident):
    """The event is part of the move's transaction: no move, no event, and nothing is delivered."""
    application = ApplicationFactory(service=service, applicant=resident)
    Subscription.objects.create(name="all", url="http://127.0.0.1:9/")

    with pytest.raises(RuntimeError), transaction.atomic():
        application_submit(application=application, by=resident)
        raise RuntimeError("the request failed after the move")

    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_deliveries_go_to_the_subscriptions_that_want_the_type_and_department(service, education):
    everything = Subscription.objects.create(name="all", url="http://127.0.0.1:9/")
    decisions = Subscription.objects.create(name="decisions", url="http://127.0.0.1:9/",
                                            event_types=[f"{TYPE_PREFIX}application.decided"])  # fmt: skip
    health_only = Subscription.objects.create(name="health", url="http://127.0.0.1:9/")
    health_only.departments.add(service.department)
    education_only = Subscription.objects.create(name="education", url="http://127.0.0.1:9/")
    education_only.departments.add(education)

    with transaction.atomic():
        event = event_record(type=f"{TYPE_PREFIX}application.submitted", source="/applications", subject="x",
                             data={}, department_id=service.department_id)  # fmt: skip

    assert {d.subscription for d in event.deliveries.all()} == {everything, health_only}
    assert decisions not in {d.subscription for d in event.deliveries.all()}
