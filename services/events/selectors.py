"""Reads of the outbox: the order of deliveries, and the ones due that no message is carrying."""

import datetime as dt
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .models import UNDELIVERED, Delivery, DeliveryStatus, Event


def _earlier_undelivered(*, subscription_id, ordering_key, event_id):
    return Delivery.objects.filter(
        UNDELIVERED, subscription_id=subscription_id, ordering_key=ordering_key, event_id__lt=event_id
    )


def deliveries_waiting_behind(*, deliveries: list[Delivery]) -> bool:
    """Whether a pending delivery of the same key to the same subscription follows one of ``deliveries``."""
    lines = [Q(subscription_id=d.subscription_id, ordering_key=d.ordering_key) for d in deliveries if d.ordering_key]
    if not lines:
        return False
    return Delivery.objects.filter(reduce(or_, lines), status=DeliveryStatus.PENDING).exists()


def deliveries_claimable(*, now: dt.datetime):
    """Return the deliveries that may be sent now: pending, due, free, to an active subscription and first in their
    key's line, the longest due first (a batch takes some of them)."""
    return (
        Delivery.objects.filter(
            Q(leased_until=None) | Q(leased_until__lt=now),
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now,
            subscription__is_active=True,
        )
        .filter(~Exists(_blocked()))
        .order_by("next_attempt_at", "pk")
    )


def _blocked():
    return _earlier_undelivered(
        subscription_id=OuterRef("subscription_id"),
        ordering_key=OuterRef("ordering_key"),
        event_id=OuterRef("event_id"),
    ).exclude(ordering_key="")


def deliveries_due(*, overdue_by: dt.timedelta, limit: int = 1000) -> list[int]:
    """Return the ids of deliveries that may be sent and were due ``overdue_by`` ago already (their message lost,
    or their worker died)."""
    now = timezone.now()
    due = deliveries_claimable(now=now).filter(next_attempt_at__lte=now - overdue_by)
    return list(due.values_list("pk", flat=True)[:limit])


def dead_letter_counts() -> dict[str, int]:
    """Return the number of deliveries given up on (dead letters), per subscription name (only those with some)."""
    rows = Delivery.objects.filter(status=DeliveryStatus.DEAD).values("subscription__name").annotate(n=Count("pk"))
    return {row["subscription__name"]: row["n"] for row in rows}


def events_awaiting_reactions(*, older_than: dt.timedelta, limit: int = 1000) -> list[int]:
    """Return the ids of events still waiting for the portal's reactions after ``older_than`` (a lost message, or a
    listener that failed), oldest first."""
    return list(
        Event.objects.filter(reactions_pending=True, time__lt=timezone.now() - older_than)
        .order_by("time")
        .values_list("pk", flat=True)[:limit]
    )
