"""Deliveries sent in batches: each first in its line once, the statements of a batch the same for 1 and for 20,
one kept connection per receiver, a 410 stops the batch's other sends to that receiver, and what is left for later
is published again."""

from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from services.events import actions, sending
from services.events.actions import deliveries_send, event_record
from services.events.models import TYPE_PREFIX, Delivery, DeliveryAttempt, DeliveryStatus
from services.events.tasks import deliver_events

pytestmark = pytest.mark.django_db
SUBMITTED = f"{TYPE_PREFIX}application.submitted"


def record(subject):
    with transaction.atomic():
        return event_record(type=SUBMITTED, source="/applications", subject=subject, data={"n": subject})


def _statements_of_a_batch(count: int) -> list[str]:
    for n in range(count):
        record(f"app-{count}-{n}")
    with CaptureQueriesContext(connection) as queries:
        attempts = deliveries_send(limit=50)
    assert len(attempts) == count and all(attempt.status_code == 200 for attempt in attempts)
    return [q["sql"] for q in queries]


def test_a_batch_costs_the_same_statements_for_1_and_for_20_deliveries(subscription, receiver):
    """The claim (the locking read with the events and subscriptions, the lease), then one INSERT of the attempts
    and one UPDATE of the deliveries, and whether a later event of one of them waits (none here): 9 statements a
    batch where one delivery used to cost 7 and a message."""
    if connection.vendor != "postgresql":
        pytest.skip("the statements of PostgreSQL's locking read (FOR UPDATE OF, SKIP LOCKED); SQLite locks the file")
    one = _statements_of_a_batch(1)
    twenty = _statements_of_a_batch(20)

    # Two transactions (here savepoints: the test runs in one), and the read of whether a later event waits.
    assert len(one) == len(twenty) == 9
    assert "FOR UPDATE OF" in twenty[1] and "SKIP LOCKED" in twenty[1]
    writes = [sql.split()[0] + " " + sql.split('"')[1] for sql in twenty if sql.startswith(("INSERT", "UPDATE"))]
    assert writes == ["UPDATE events_delivery", "INSERT events_deliveryattempt", "UPDATE events_delivery"]
    assert len(receiver.accepted) == 21


def test_one_connection_is_kept_for_a_receivers_deliveries(subscription, receiver):
    receiver.keep_alive()
    for n in range(5):
        record(f"app-{n}")

    deliveries_send(limit=50)

    assert len(receiver.accepted) == 5 and receiver.connections == 1


def test_a_batch_takes_only_the_first_of_each_line_and_the_next_batch_the_following(subscription, receiver):
    first, second, other = record("app-1"), record("app-1"), record("app-2")

    assert len(deliveries_send(limit=50)) == 2
    assert len(deliveries_send(limit=50)) == 1

    assert receiver.accepted == [str(e.event_id) for e in (first, other, second)]
    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()


def test_a_410_pauses_the_subscription_and_its_other_deliveries_wait_untried(subscription, receiver):
    receiver.statuses = [410]
    for n in range(3):
        record(f"app-{n}")

    attempts = deliveries_send(limit=50)

    subscription.refresh_from_db()
    assert [a.status_code for a in attempts] == [410] and not subscription.is_active
    assert len(receiver.received) == 1
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING, attempts=0, leased_until=None).count() == 3


def test_what_a_batch_had_no_time_for_goes_back_untried_and_another_batch_is_published(
    subscription, receiver, django_capture_on_commit_callbacks
):
    for n in range(3):
        record(f"app-{n}")
    clock = iter([0.0, 0.0, 0.1, 0.1])  # the batch starts, sends one, and then its time is up

    with (
        mock.patch.object(actions, "monotonic", lambda: next(clock, 100.0)),
        django_capture_on_commit_callbacks() as published,
    ):
        attempts = deliveries_send(limit=50)

    assert len(attempts) == 1
    assert Delivery.objects.filter(status=DeliveryStatus.PENDING, leased_until=None, attempts=0).count() == 2
    assert published == [actions.deliveries_wake]


def test_failures_are_written_together_and_retried_by_one_message_per_delay(
    subscription, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_SCHEDULE = [15]
    receiver.status = 500
    for n in range(4):
        record(f"app-{n}")

    with django_capture_on_commit_callbacks() as published:
        deliveries_send(limit=50)

    assert DeliveryAttempt.objects.filter(status_code=500).count() == 4
    assert Delivery.objects.filter(attempts=1, status=DeliveryStatus.PENDING).count() == 4
    retries = [c for c in published if getattr(c, "func", None) is actions.publish]
    assert len(retries) == 1 and retries[0].keywords["countdown"] == 15


def test_the_task_sends_a_batch_and_events_publish_one_message(
    subscription, receiver, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(deliver_events, "apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        for n in range(3):
            event_record(type=SUBMITTED, source="/applications", subject=f"app-{n}", data={})

    assert publish.call_count == 1  # the others found it waiting
    assert deliver_events.run() == 3
    assert len(receiver.accepted) == 3


def test_an_answer_too_long_to_read_closes_its_connection(subscription, receiver):
    """The excerpt is kept; the rest of a long answer is not read (the connection is dropped instead)."""
    receiver.body = b"x" * (sending.DRAIN_MAX * 2)
    record("app-1")

    (attempt,) = deliveries_send(limit=50)

    assert attempt.status_code == 200 and attempt.response_excerpt == "x" * sending.EXCERPT
