import datetime as dt

from celery import shared_task

from .actions import deliveries_publish_due, delivery_send
from .selectors import deliveries_due

SWEEP_GRACE = dt.timedelta(seconds=30)


@shared_task
def deliver_event(delivery_id: int) -> None:
    """Send one webhook delivery if it is its turn (failures are retried on the schedule by the action itself)."""
    delivery_send(delivery_id=delivery_id)


@shared_task
def sweep_deliveries() -> int:
    """Publish again the deliveries due for a while that no message carries (lost, waiting for the sweep, or left
    by a worker that died mid-send)."""
    return deliveries_publish_due(ids=deliveries_due(overdue_by=SWEEP_GRACE))
