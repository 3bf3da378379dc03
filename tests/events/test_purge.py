"""Old events delivered everywhere go with their deliveries and attempt logs; undelivered, dead, unreacted or recent
events stay, however many there are."""

import datetime as dt

import pytest
from django.utils import timezone

from services.events.actions import events_purge
from services.events.models import Delivery, DeliveryAttempt, DeliveryStatus, Event, Subscription

pytestmark = pytest.mark.django_db


DELIVERED = DeliveryStatus.DELIVERED


def _event(subject: str, *, days_ago: float, deliveries=(), reactions_pending=False) -> Event:
    event = Event.objects.create(
        type="cn.gov.sh.portal.application.submitted", source="/test", subject=subject,
        time=timezone.now() - dt.timedelta(days=days_ago), reactions_pending=reactions_pending,
    )  # fmt: skip
    for subscription, status in deliveries:
        delivery = Delivery.objects.create(subscription=subscription, event=event, status=status)
        DeliveryAttempt.objects.create(
            delivery=delivery, status_code=200 if status == DeliveryStatus.DELIVERED else 500
        )
    return event


def test_old_events_delivered_everywhere_go_with_their_logs_and_the_rest_stay(settings):
    """Past EVENT_RETENTION_DAYS, an event every subscription took (or none wanted) goes with its deliveries and
    attempts; one still pending or dead anywhere, one the portal has not reacted to, and a recent one stay."""
    settings.EVENT_RETENTION_DAYS = 90
    one = Subscription.objects.create(name="one", url="http://127.0.0.1:9/")
    two = Subscription.objects.create(name="two", url="http://127.0.0.1:9/")
    delivered = DELIVERED
    _event("gone-1", days_ago=91, deliveries=[(one, delivered), (two, delivered)])
    _event("gone-2", days_ago=91)
    _event("pending", days_ago=91, deliveries=[(one, delivered), (two, DeliveryStatus.PENDING)])
    _event("dead", days_ago=400, deliveries=[(one, DeliveryStatus.DEAD)])
    _event("reactions", days_ago=91, reactions_pending=True)
    _event("recent", days_ago=89, deliveries=[(one, delivered)])

    assert events_purge() == 2

    assert set(Event.objects.values_list("subject", flat=True)) == {"pending", "dead", "reactions", "recent"}
    assert Delivery.objects.count() == 4
    assert DeliveryAttempt.objects.count() == 4
