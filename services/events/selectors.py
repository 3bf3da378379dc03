"""Reads of the outbox: the order of deliveries, and the ones due that no message is carrying."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .models import UNDELIVERED, Delivery, DeliveryStatus, Event


def _earlier_undelivered(*, subscription_id, ordering_key, event_id):
    return Delivery.objects.filter(
        UNDELIVERED, subscription_id=subscription_id, ordering_key=ordering_key, event_id__lt=event_id
    )


def delivery_next_in_line(*, delivery: Delivery) -> Delivery | None:
    """Return the next pending delivery of the same key to the same subscription, if any."""
    if not delivery.ordering_key:
        return None
    return (
        Delivery.objects.filter(
            subscription_id=delivery.subscription_id,
            ordering_key=delivery.ordering_key,
            event_id__gt=delivery.event_id,
            status=DeliveryStatus.PENDING,
        )
        .order_by("event_id")
        .first()
    )


def delivery_claimable(*, delivery_id: int, now: dt.datetime):
    """Return the delivery as a queryset if it is due now, pending, free, to an active subscription and first in its
    key's line (the claim's one UPDATE)."""
    return Delivery.objects.filter(
        Q(leased_until=None) | Q(leased_until__lt=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        subscription__is_active=True,
    ).filter(~Exists(_blocked()))


def _blocked():
    return _earlier_undelivered(
        subscription_id=OuterRef("subscription_id"),
        ordering_key=OuterRef("ordering_key"),
        event_id=OuterRef("event_id"),
    ).exclude(ordering_key="")


def deliveries_due(*, overdue_by: dt.timedelta, limit: int = 1000) -> list[int]:
    """Return the ids of pending deliveries due for ``overdue_by`` already (their message lost, or their worker
    died), free, to an active subscription and first in their key's line."""
    now = timezone.now()
    due = Delivery.objects.filter(
        Q(leased_until=None) | Q(leased_until__lt=now),
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now - overdue_by,
        subscription__is_active=True,
    )
    return list(due.filter(~Exists(_blocked())).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])


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
