"""Webhook deliveries by real Celery workers to a local receiver: a whole journey's events signed, in order and
taken once through a receiver failing its first three attempts; a worker killed mid-delivery loses nothing."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client

from services.applications.models import Application, Status
from services.events.actions import deliveries_publish_due, event_record
from services.events.models import Event, Subscription
from services.events.selectors import deliveries_due
from tests.conftest import staff_login
from tests.events.receiver import Receiver
from tests.factories import VALID_ANSWERS

from .conftest import Worker, wait_for, worker_env
from .test_journey import app_login

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def webhooks_worker(publish_to_broker, real_services):
    """A worker for the webhooks queue, retrying after 1 s and giving up on a receiver after 2 s."""
    env = worker_env(real_services) | {
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
        "WEBHOOK_RETRY_SCHEDULE": "1,1,1,1,1",
        "WEBHOOK_TIMEOUT_SECONDS": "2",
    }
    worker = Worker(env, "webhooks", "webhooks").start()
    yield [worker, *publish_to_broker]
    worker.stop()


def test_a_journeys_events_reach_the_receiver_signed_in_order_once_through_three_failures(
    webhooks_worker, receiver, service, resident, health_caseworker
):
    subscription = Subscription.objects.create(name="Health case system", url=receiver.url)
    receiver.secrets, receiver.statuses = [subscription.secret], [500, 503, 500]

    # a resident applies by API, the routing worker routes, a caseworker claims and approves in the admin
    api = app_login(resident.email, "correct-horse-battery")
    public_id = api.post("/api/v1/applications/", {"service": service.slug, "answers": VALID_ANSWERS},
                         format="json").json()["id"]  # fmt: skip
    assert api.post(f"/api/v1/applications/{public_id}/submit/").status_code == 200
    application = wait_for(
        lambda: Application.objects.filter(public_id=public_id, status=Status.ROUTED, intake_checked_at__isnull=False)
        .first(),
        what="routing", workers=webhooks_worker,
    )  # fmt: skip
    staff = staff_login(Client(), health_caseworker)
    act_url = f"/admin/applications/application/{application.pk}/act/"
    staff.post(act_url, {"action": "claim", "version": application.version})
    application.refresh_from_db()
    decision = {"action": "approve", "reason": "In order.", "version": application.version}
    letter = staff.post(act_url, decision)  # the letter first, then the decision confirmed for it
    staff.post(act_url, {**decision, "confirm": letter.context["fingerprint"]})

    # then the receiver has taken every event of the journey once, in the order they happened
    events = list(Event.objects.filter(subject=public_id).order_by("id"))
    assert [e.type.rsplit(".", 1)[1] for e in events] == ["submitted", "routed", "claimed", "decided"]
    wait_for(lambda: len(receiver.accepted) == 4, what="the four deliveries", workers=webhooks_worker, timeout=60)
    assert receiver.accepted == [str(e.event_id) for e in events]
    assert receiver.forged == []
    assert len(receiver.received) == 4 + 3  # the three failed attempts, then each event once


@pytest.mark.fault
def test_a_worker_killed_mid_delivery_loses_nothing(webhooks_worker, receiver, service):
    worker = webhooks_worker[0]
    Subscription.objects.create(name="Health case system", url=receiver.url)
    receiver.hang = True

    with transaction.atomic():
        event = event_record(type="cn.gov.sh.portal.application.submitted", source="/applications", subject="a-1",
                             data={}, department_id=service.department_id)  # fmt: skip
    wait_for(lambda: receiver.received, what="the delivery to start", workers=webhooks_worker)
    worker.kill()  # mid-delivery: the receiver holds the request unanswered
    receiver.hang = False
    receiver.released.set()
    worker.start()

    # the sweep publishes it again once the dead worker's hold on it has run out
    def swept():
        deliveries_publish_due(ids=deliveries_due(overdue_by=dt.timedelta(0)))
        return receiver.accepted

    wait_for(swept, what="the delivery to be sent again", workers=webhooks_worker, timeout=60)
    assert receiver.accepted == [str(event.event_id)]
