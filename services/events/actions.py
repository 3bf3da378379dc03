"""Writes of the outbox: recording an event with its deliveries, sending a delivery, replaying, rotating secrets."""

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from services.common.bulk import rows_delete
from services.common.tasks import publish_again, publish_on_commit

from . import sending
from .models import UNDELIVERED, Delivery, DeliveryAttempt, DeliveryStatus, Event, Subscription, new_secret
from .reactions import listeners_for
from .selectors import delivery_claimable, delivery_next_in_line
from .signing import host_allowed, signed_headers

logger = logging.getLogger(__name__)

DELIVER = "services.events.tasks.deliver_event"
REACT = "services.events.tasks.react_to_event"
# A retry further off than this is left to the sweep rather than held in the broker (Redis would hand an
# unacknowledged message with a far-off countdown out again after its visibility timeout).
COUNTDOWN_MAX = 600
# A sending worker that died lets its delivery go after the timeout and this margin.
LEASE_MARGIN = 10


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
    for delivery in deliveries:
        publish_on_commit(DELIVER, (delivery.pk,))
    return events


def _event(*, ordering_key: str = "", **fields) -> Event:
    reacting = bool(listeners_for(type=fields["type"]))
    return Event(**fields, ordering_key=ordering_key or fields.get("subject", ""), reactions_pending=reacting)


def _claim(*, delivery_id: int, now: dt.datetime) -> Delivery | None:
    """Take the delivery for this worker if it is due, its subscription active, no other worker holds it and no
    earlier event of its key is still undelivered to the subscription (one UPDATE decides); return it."""
    lease = now + dt.timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN)
    if not delivery_claimable(delivery_id=delivery_id, now=now).update(leased_until=lease):
        return None
    return Delivery.objects.select_related("event", "subscription").get(pk=delivery_id)


def delivery_send(*, delivery_id: int) -> DeliveryAttempt | None:
    """Send one delivery if it is its turn, log the attempt, and then mark it delivered (and publish the next
    event of its key), schedule its retry, or make it a dead letter after the last one."""
    now = timezone.now()
    delivery = _claim(delivery_id=delivery_id, now=now)
    if delivery is None:
        return None
    subscription, event = delivery.subscription, delivery.event
    if host_allowed(subscription.url):
        body = json.dumps(event.as_cloudevent(), ensure_ascii=False, separators=(",", ":")).encode()
        headers = signed_headers(
            secrets=[subscription.secret, subscription.previous_secret], msg_id=str(event.event_id), body=body
        )
        answer = sending.post(
            url=subscription.url, body=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    else:
        answer = sending.Answer(None, "", "host not in WEBHOOK_ALLOWED_HOSTS", 0)
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.create(
            delivery=delivery, status_code=answer.status, latency_ms=answer.latency_ms,
            response_excerpt=answer.excerpt, error=answer.error,
        )  # fmt: skip
        _settle(delivery=delivery, answer=answer, allowed=not answer.error.startswith("host not"))
    return attempt


def _settle(*, delivery: Delivery, answer: sending.Answer, allowed: bool) -> None:
    """Record what the attempt means for the delivery (inside the attempt's transaction)."""
    now = timezone.now()
    fields = {"leased_until": None, "updated_at": now}
    if answer.ok:
        fields |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
        following = delivery_next_in_line(delivery=delivery)
        if following is not None:
            publish_on_commit(DELIVER, (following.pk,))
    elif answer.status == 410:
        # Gone: the receiver says this endpoint no longer exists. Pause it; its deliveries wait, in order, until
        # someone points it somewhere else and resumes it.
        Subscription.objects.filter(pk=delivery.subscription_id).update(is_active=False, updated_at=now)
        logger.warning(
            "webhook endpoint gone (410): subscription paused", extra={"subscription": delivery.subscription_id}
        )
    else:
        schedule = settings.WEBHOOK_RETRY_SCHEDULE
        failed = delivery.attempts + 1
        fields["attempts"] = F("attempts") + 1
        if not allowed or failed > len(schedule):
            fields["status"] = DeliveryStatus.DEAD
            logger.warning("webhook delivery dead", extra={"delivery": delivery.pk, "event_type": delivery.event.type})
        else:
            delay = float(schedule[failed - 1])
            fields["next_attempt_at"] = now + dt.timedelta(seconds=delay)
            if delay <= COUNTDOWN_MAX:
                publish_on_commit(DELIVER, (delivery.pk,), countdown=delay)
    Delivery.objects.filter(pk=delivery.pk).update(**fields)


@transaction.atomic
def delivery_replay(*, deliveries) -> int:
    """Send the given deliveries again from the start of the schedule (dead letters, or delivered ones a receiver
    lost), in the order of their events; return how many."""
    ids = list(deliveries.order_by("event_id").values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), leased_until=None,
        delivered_at=None, updated_at=timezone.now(),
    )  # fmt: skip
    for pk in ids:
        publish_on_commit(DELIVER, (pk,))
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
    """Publish the delivery of each of ``ids`` (the sweep's due ones) unless a sweep did within
    SWEEP_REPUBLISH_AFTER_SECONDS; return how many were published.

    A sweep every 30 s publishing every due delivery again filled the queue faster than a worker that had fallen
    behind could empty it (the bench's growth run: 11,089 messages waiting, no delivery made in 10 minutes)."""
    return sum(publish_again(DELIVER, pk) for pk in ids)


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
    """Resume paused subscriptions: their waiting deliveries are published now, each in its turn."""
    ids = list(subscriptions.values_list("pk", flat=True))
    Subscription.objects.filter(pk__in=ids).update(is_active=True, updated_at=timezone.now())
    waiting = Delivery.objects.filter(subscription_id__in=ids, status=DeliveryStatus.PENDING).order_by("event_id")
    Delivery.objects.filter(pk__in=waiting.values("pk")).update(next_attempt_at=timezone.now())
    for pk in waiting.values_list("pk", flat=True):
        publish_on_commit(DELIVER, (pk,))
    return len(ids)
