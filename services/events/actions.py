"""Writes of the outbox: recording an event with its deliveries, sending a delivery, replaying, rotating secrets."""

import datetime as dt
import json
import logging
from time import monotonic

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from services.common.bulk import rows_delete, rows_update
from services.common.tasks import publish, publish_again, publish_coalesced, publish_on_commit

from . import sending
from .models import UNDELIVERED, Delivery, DeliveryAttempt, DeliveryStatus, Event, Subscription, new_secret
from .reactions import listeners_for
from .selectors import deliveries_claimable, deliveries_waiting_behind
from .signing import host_allowed, signed_headers

logger = logging.getLogger(__name__)

DELIVER = "services.events.tasks.deliver_events"
REACT = "services.events.tasks.react_to_event"
# A retry further off than this is left to the sweep rather than held in the broker (Redis would hand an
# unacknowledged message with a far-off countdown out again after its visibility timeout).
COUNTDOWN_MAX = 600
# A sending worker that died lets its deliveries go after its batch's time, the timeout and this margin.
LEASE_MARGIN = 10
# A batch starts no send after this many seconds (the rest go back, untried, for the next batch), well within the
# task's time limit.
BATCH_SECONDS = 30
# A batch writes what its sends came to at least this often: a worker that dies leaves that much unwritten, sent
# again once its lease runs out (receivers deduplicate on the event id).
WRITE_EVERY_SECONDS = 1.0
# A delivery batch is published while none is waiting to be taken; a message lost holds the next one back this
# long at most (the sweep covers it).
WAKE_SECONDS = 10
NOT_ALLOWED = "host not in WEBHOOK_ALLOWED_HOSTS"


def event_record(
    *, type: str, source: str, subject: str = "", data: dict, department_id: int | None = None, ordering_key: str = ""
) -> Event:
    """Write a CloudEvent to the outbox in the caller's transaction, with a delivery for every subscription that
    wants it (published once the transaction commits); ``ordering_key`` (default: the subject) keeps one thing's
    events in order for each receiver; an event the portal's own apps react to (services/events/reactions.py) is
    handed to them once the transaction commits."""
    record = {"type": type, "source": source, "subject": subject, "data": data, "department_id": department_id}
    return events_record(records=[{**record, "ordering_key": ordering_key}])[0]


def events_record(*, records: list[dict]) -> list[Event]:
    """Write several CloudEvents (each a dict of ``event_record``'s arguments) in one insert, and their deliveries
    in one more, in the caller's transaction; in order: one thing's events keep the order given."""
    events = Event.objects.bulk_create([_event(**record) for record in records])
    for event in events:
        if event.reactions_pending:
            publish_on_commit(REACT, (event.pk,))
    subscriptions = [
        (subscription, {department.pk for department in subscription.departments.all()})
        for subscription in Subscription.objects.prefetch_related("departments")
    ]
    deliveries = Delivery.objects.bulk_create(
        [
            Delivery(subscription=subscription, event=event, ordering_key=event.ordering_key)
            for event in events
            for subscription, department_ids in subscriptions
            if subscription.wants(type=event.type, department_ids=department_ids, department_id=event.department_id)
        ]
    )
    if deliveries:
        transaction.on_commit(deliveries_wake)
    return events


def _event(*, ordering_key: str = "", **fields) -> Event:
    reacting = bool(listeners_for(type=fields["type"]))
    return Event(**fields, ordering_key=ordering_key or fields.get("subject", ""), reactions_pending=reacting)


def deliveries_wake() -> None:
    """Publish a delivery batch unless one is already waiting to be taken (after commit: a publish_on_commit)."""
    publish_coalesced(DELIVER, seconds=WAKE_SECONDS)


def _claim(*, limit: int, ids: list[int] | None) -> list[Delivery]:
    """Take up to ``limit`` deliveries that may be sent now (of ``ids`` only, when given), skipping those another
    worker is taking, and hold them with a lease long enough for the batch to send them; return them."""
    now, timeout = timezone.now(), settings.WEBHOOK_TIMEOUT_SECONDS
    claimable = deliveries_claimable(now=now)
    if ids is not None:
        claimable = claimable.filter(pk__in=ids)
    with transaction.atomic():
        taken = list(
            claimable.select_for_update(skip_locked=True, of=("self",)).select_related("event", "subscription")[:limit]
        )
        if taken:
            lease = _budget(count=len(taken)) + timeout + LEASE_MARGIN
            Delivery.objects.filter(pk__in=[d.pk for d in taken]).update(leased_until=now + dt.timedelta(seconds=lease))
    return taken


def _budget(*, count: int) -> float:
    """Seconds a batch of ``count`` may go on starting sends (each may then take the timeout)."""
    return min(count * settings.WEBHOOK_TIMEOUT_SECONDS, BATCH_SECONDS)


def deliveries_send(*, limit: int, ids: list[int] | None = None) -> list[DeliveryAttempt]:
    """Send a batch of deliveries whose turn it is (over kept connections), log each attempt, and then mark each
    delivered, schedule its retry, or make it a dead letter after the last one; the attempts and deliveries are
    written a few statements at a time. A batch that may have left work publishes the next one."""
    taken = _claim(limit=limit, ids=ids)
    if not taken:
        return []
    more = ids is None and len(taken) == limit  # there may be more due
    if more and not settings.CELERY_TASK_ALWAYS_EAGER:
        deliveries_wake()  # at once: another worker takes the next ones (skipping these) while this one sends
    stop_at = monotonic() + _budget(count=len(taken))
    attempts, sent, tried, gone, written_at = [], [], set(), set(), monotonic()
    for delivery in taken:
        if monotonic() >= stop_at:
            break
        if delivery.subscription_id in gone:
            continue  # paused by a 410 in this batch: it waits, in order
        answer = _send(delivery=delivery)
        sent.append((delivery, answer))
        tried.add(delivery.pk)
        if answer.status == 410:
            gone.add(delivery.subscription_id)
        if monotonic() - written_at >= WRITE_EVERY_SECONDS:  # a worker that dies leaves little unwritten
            attempts += _write(sent=sent)
            sent, written_at = [], monotonic()
    attempts += _write(sent=sent)
    unsent = [delivery.pk for delivery in taken if delivery.pk not in tried]
    if unsent:  # out of time, or its subscription paused: back to the queue, untried
        Delivery.objects.filter(pk__in=unsent).update(leased_until=None)
    delivered = [delivery for delivery in taken if delivery.status == DeliveryStatus.DELIVERED]
    if unsent or more or deliveries_waiting_behind(deliveries=delivered):
        transaction.on_commit(deliveries_wake)  # in-process (eager), after the caller's transaction, if any
    return attempts


def delivery_send(*, delivery_id: int) -> DeliveryAttempt | None:
    """Send one delivery if it is its turn (a batch of one); return its attempt."""
    attempts = deliveries_send(limit=1, ids=[delivery_id])
    return attempts[0] if attempts else None


def _send(*, delivery: Delivery) -> sending.Answer:
    subscription, event = delivery.subscription, delivery.event
    if not host_allowed(subscription.url):
        return sending.Answer(None, "", NOT_ALLOWED, 0)
    body = json.dumps(event.as_cloudevent(), ensure_ascii=False, separators=(",", ":")).encode()
    headers = signed_headers(
        secrets=[subscription.secret, subscription.previous_secret], msg_id=str(event.event_id), body=body
    )
    return sending.post(url=subscription.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS)


def _write(*, sent: list[tuple[Delivery, sending.Answer]]) -> list[DeliveryAttempt]:
    """Write what these sends came to in one transaction: one INSERT of their attempts, one UPDATE of their
    deliveries (and one of the subscriptions a 410 paused); their retries are published after commit, one message
    per delay."""
    if not sent:
        return []
    now = timezone.now()
    attempts = [
        DeliveryAttempt(
            delivery=delivery,
            at=now,
            status_code=answer.status,
            latency_ms=answer.latency_ms,
            response_excerpt=answer.excerpt,
            error=answer.error,
        )  # fmt: skip
        for delivery, answer in sent
    ]
    delays = {_settle(delivery=delivery, answer=answer, now=now) for delivery, answer in sent} - {None}
    gone = {delivery.subscription_id for delivery, answer in sent if answer.status == 410}
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(attempts)
        rows_update(objects=[delivery for delivery, _answer in sent], fields=SETTLED)
        if gone:
            # Gone: the receiver says this endpoint no longer exists. Pause it; its deliveries wait, in order, until
            # someone points it somewhere else and resumes it.
            Subscription.objects.filter(pk__in=gone).update(is_active=False, updated_at=now)
            logger.warning("webhook endpoint gone (410): subscriptions paused", extra={"subscriptions": sorted(gone)})
        for delay in sorted(delays):
            if delay <= COUNTDOWN_MAX:
                publish_on_commit(DELIVER, countdown=delay)
    return attempts


SETTLED = ["status", "attempts", "next_attempt_at", "leased_until", "delivered_at", "updated_at"]


def _settle(*, delivery: Delivery, answer: sending.Answer, now: dt.datetime) -> float | None:
    """Set on the delivery what the attempt means for it; return the delay of its retry, if one is scheduled."""
    delivery.leased_until, delivery.updated_at = None, now
    if answer.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, now
        return None
    if answer.status == 410:
        return None  # its subscription is paused: the delivery waits as it is
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    delivery.attempts += 1
    if answer.error == NOT_ALLOWED or delivery.attempts > len(schedule):
        delivery.status = DeliveryStatus.DEAD
        logger.warning("webhook delivery dead", extra={"delivery": delivery.pk, "event_type": delivery.event.type})
        return None
    delay = float(schedule[delivery.attempts - 1])
    delivery.next_attempt_at = now + dt.timedelta(seconds=delay)
    return delay


@transaction.atomic
def delivery_replay(*, deliveries) -> int:
    """Send the given deliveries again from the start of the schedule (dead letters, or delivered ones a receiver
    lost), in the order of their events; return how many."""
    ids = list(deliveries.order_by("event_id").values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), leased_until=None,
        delivered_at=None, updated_at=timezone.now(),
    )  # fmt: skip
    transaction.on_commit(deliveries_wake)
    return len(ids)


def event_react(*, event_id: int) -> bool:
    """Call the listeners of an event still waiting for its reactions, then mark it done; return whether it was
    waiting (a second delivery of the message finds it done; a listener that raises leaves it for a retry)."""
    event = Event.objects.filter(pk=event_id, reactions_pending=True).first()
    if event is None:
        return False
    for listener in listeners_for(type=event.type):
        listener(event=event)
    Event.objects.filter(pk=event_id).update(reactions_pending=False)
    return True


def events_publish_reactions(*, ids: list[int]) -> int:
    """Publish the reactions of each of ``ids`` (the sweep's pending ones); return how many were published."""
    return sum(publish_again(REACT, pk) for pk in ids)


def deliveries_publish_due(*, ids: list[int]) -> int:
    """Publish a delivery batch when some deliveries are due (``ids``: the sweep's), its message expiring as the
    sweeps' do (while the worker is down they do not pile up); return how many were due."""
    if ids:
        publish(DELIVER, expires=settings.SWEEP_REPUBLISH_AFTER_SECONDS)
    return len(ids)


def events_purge() -> int:
    """Delete the events older than EVENT_RETENTION_DAYS that every subscription received and the portal reacted
    to, with their deliveries and attempt logs, batch by batch; return how many events went.

    An event with a delivery pending or dead (a dead letter to replay) stays, however old."""
    cutoff = timezone.now() - dt.timedelta(days=settings.EVENT_RETENTION_DAYS)
    undelivered = Delivery.objects.filter(UNDELIVERED, event=OuterRef("pk"))
    done = Event.objects.filter(~Exists(undelivered), time__lt=cutoff, reactions_pending=False)
    return rows_delete(queryset=done)


def subscription_rotate_secret(*, subscription: Subscription) -> Subscription:
    """Start signing with a new secret while the current one stays valid (both signatures are sent)."""
    subscription.previous_secret, subscription.secret = subscription.secret, new_secret()
    subscription.save(update_fields=["secret", "previous_secret", "updated_at"])
    return subscription


def subscription_end_rotation(*, subscription: Subscription) -> Subscription:
    """Stop signing with the previous secret, once the receiver has the new one."""
    subscription.previous_secret = ""  # nosec B105  # the old secret dropped, not a password
    subscription.save(update_fields=["previous_secret", "updated_at"])
    return subscription


def subscription_resume(*, subscriptions) -> int:
    """Resume paused subscriptions: their waiting deliveries are due now, each in its turn."""
    ids = list(subscriptions.values_list("pk", flat=True))
    Subscription.objects.filter(pk__in=ids).update(is_active=True, updated_at=timezone.now())
    waiting = Delivery.objects.filter(subscription_id__in=ids, status=DeliveryStatus.PENDING)
    Delivery.objects.filter(pk__in=waiting.values("pk")).update(next_attempt_at=timezone.now())
    transaction.on_commit(deliveries_wake)
    return len(ids)
