"""Webhook deliveries to a local receiver: signed per Standard Webhooks, retried on the schedule, logged per attempt,
dead after the last one, replayed, kept in order per application, and only to allowed hosts."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from services.events.actions import (
    delivery_replay,
    delivery_send,
    event_record,
    subscription_end_rotation,
    subscription_rotate_secret,
)
from services.events.models import TYPE_PREFIX, Delivery, DeliveryStatus, Subscription
from services.events.selectors import deliveries_due
from services.events.signing import BadSignature, signature, signed_headers, verified_id

pytestmark = pytest.mark.django_db
SUBMITTED = f"{TYPE_PREFIX}application.submitted"


def record(subject="app-1", type=SUBMITTED):
    with transaction.atomic():
        return event_record(type=type, source="/applications", subject=subject, data={"n": subject})


def test_the_signature_is_the_standard_webhooks_test_vector():
    """The published vector of the Standard Webhooks reference libraries, so any receiver's library accepts ours."""
    assert signature(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        msg_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body=b'{"test": 2432232314}',
    ) == (  # fmt: skip
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_verification_refuses_a_forged_an_old_and_an_unsigned_call():
    secret, body = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", b"{}"
    headers = signed_headers(secrets=[secret], msg_id="m1", body=body)
    assert verified_id(secrets=[secret], headers=headers, body=body) == "m1"
    with pytest.raises(BadSignature):
        verified_id(secrets=[secret], headers=headers, body=b'{"tampered": 1}')
    with pytest.raises(BadSignature):
        verified_id(secrets=[secret], headers=signed_headers(secrets=[secret], msg_id="m1", body=body,
                                                               timestamp=1614265330), body=body)  # fmt: skip
    with pytest.raises(BadSignature):
        verified_id(secrets=[secret], headers={"webhook-id": "m1"}, body=body)


def test_a_delivery_is_signed_and_taken_once(subscription, receiver):
    receiver.secrets = [subscription.secret]
    event = record()
    delivery = event.deliveries.get()

    attempt = delivery_send(delivery_id=delivery.pk)

    assert attempt.status_code == 200 and attempt.response_excerpt == "ok" and attempt.latency_ms >= 0
    assert receiver.accepted == [str(event.event_id)]
    sent = receiver.received[0]
    assert sent["headers"]["webhook-id"] == str(event.event_id)
    assert json.loads(sent["body"]) == event.as_cloudevent()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.delivered_at
    assert delivery_send(delivery_id=delivery.pk) is None  # delivered: a redelivered message sends nothing
    assert len(receiver.received) == 1


@pytest.mark.parametrize("status", [500, 302, 429])
def test_failures_are_retried_on_the_schedule_and_then_dead(subscription, receiver, settings, status):
    """Each failure is logged and retried after the schedule's delay; after the last one it is a dead letter."""
    settings.WEBHOOK_RETRY_SCHEDULE = [0, 0, 3600]
    receiver.status = status
    delivery = record().deliveries.get()

    for _ in range(3):
        delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 3
    assert delivery_send(delivery_id=delivery.pk) is None  # the third retry is an hour away
    assert [a.status_code for a in delivery.attempt_log.all()] == [status] * 3
    assert receiver.paths == ["POST /events"] * 3  # a redirect is not followed

    delivery.next_attempt_at = delivery.created_at
    delivery.save()
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD and delivery.attempts == 4


def test_a_receiver_that_is_down_or_too_slow_counts_as_a_failure(subscription, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    receiver.hang = True
    delivery = record().deliveries.get()

    slow = delivery_send(delivery_id=delivery.pk)
    subscription.url = "http://127.0.0.1:9/events"  # nothing listens there
    subscription.save()
    down = delivery_send(delivery_id=delivery.pk)

    assert slow.status_code is None and slow.error.startswith("timed out")
    assert down.status_code is None and down.error.startswith("failed")
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.status == DeliveryStatus.PENDING


def test_a_receiver_answering_410_pauses_its_subscription_and_nothing_is_lost(subscription, receiver):
    receiver.status = 410
    delivery = record().deliveries.get()

    delivery_send(delivery_id=delivery.pk)

    subscription.refresh_from_db()
    delivery.refresh_from_db()
    assert not subscription.is_active
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 0
    assert delivery_send(delivery_id=delivery.pk) is None  # paused: it waits


def test_events_of_one_application_are_delivered_in_order(subscription, receiver):
    """A later event waits while an earlier one of the same application is undelivered; others do not wait."""
    receiver.statuses = [500]
    first, second, other = record("app-1").deliveries.get(), record("app-1").deliveries.get(), record("app-2")

    delivery_send(delivery_id=first.pk)  # fails
    assert delivery_send(delivery_id=second.pk) is None  # waits for the first
    assert delivery_send(delivery_id=other.deliveries.get().pk).status_code == 200  # another application's
    delivery_send(delivery_id=first.pk)
    delivery_send(delivery_id=second.pk)

    ids = [str(d.event.event_id) for d in (first, second)]
    assert receiver.accepted == [str(other.event_id), *ids]


def test_a_dead_letter_is_replayed_from_the_start_of_the_schedule(subscription, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.statuses = [500]
    delivery = record().deliveries.get()
    delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DEAD
    assert deliveries_due(overdue_by=dt.timedelta(0)) == []

    assert delivery_replay(deliveries=Delivery.objects.filter(pk=delivery.pk)) == 1
    delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 0
    assert receiver.accepted == [str(delivery.event.event_id)]


def test_during_a_rotation_a_receiver_with_either_secret_accepts(subscription, receiver):
    old = subscription.secret
    subscription_rotate_secret(subscription=subscription)
    receiver.secrets = [old]
    delivery_send(delivery_id=record("a").deliveries.get().pk)
    receiver.secrets = [subscription.secret]
    delivery_send(delivery_id=record("b").deliveries.get().pk)

    subscription_end_rotation(subscription=subscription)
    receiver.secrets = [old]  # a receiver still on the old secret now refuses
    delivery_send(delivery_id=record("c").deliveries.get().pk)

    assert len(receiver.accepted) == 2 and len(receiver.forged) == 1
    assert len(receiver.received[0]["headers"]["webhook-signature"].split()) == 2


def test_only_allowed_hosts_are_delivered_to(subscription, receiver, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = [".health.example"]
    with pytest.raises(ValidationError):
        Subscription(name="x", url=receiver.url).full_clean()
    Subscription(name="x", url="https://cases.health.example/events").full_clean()

    delivery = record().deliveries.get()
    attempt = delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert "WEBHOOK_ALLOWED_HOSTS" in attempt.error and delivery.status == DeliveryStatus.DEAD
    assert receiver.received == []


def test_the_sweep_finds_due_deliveries_first_in_their_line(subscription, receiver):
    first, second = record("app-1").deliveries.get(), record("app-1").deliveries.get()
    Delivery.objects.update(next_attempt_at=first.created_at - dt.timedelta(minutes=5))

    assert deliveries_due(overdue_by=dt.timedelta(seconds=30)) == [first.pk]
    assert second.pk not in deliveries_due(overdue_by=dt.timedelta(seconds=30))
