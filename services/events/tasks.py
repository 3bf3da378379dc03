import datetime as dt

from celery import shared_task
from django.conf import settings

from services.common.tasks import RetryingTask, coalesced_taken

from .actions import deliveries_publish_due, deliveries_send, event_react, events_publish_reactions, events_purge
from .selectors import deliveries_due, events_awaiting_reactions

SWEEP_GRACE = dt.timedelta(seconds=30)


# Taken as a message waiting for it (publish_coalesced): an event that commits from now on publishes the next one.
@shared_task
def deliver_events() -> int:
    """Send a batch of the webhook deliveries whose turn it is (failures are retried on the schedule by the action
    itself); return how many were tried."""
    coalesced_taken(deliver_events)
    return len(deliveries_send(limit=settings.WEBHOOK_BATCH_SIZE))


@shared_task
def sweep_deliveries() -> int:
    """Publish a delivery batch when deliveries have been due for a while with no message taking them (lost,
    waiting for the sweep, or left by a worker that died mid-send)."""
    return deliveries_publish_due(ids=deliveries_due(overdue_by=SWEEP_GRACE))


@shared_task(base=RetryingTask, retry_setting="ROUTING_TASK_RETRY")
def react_to_event(event_id: int) -> None:
    """Hand an event to the portal's apps that react to it (services/events/reactions.py), once."""
    event_react(event_id=event_id)


@shared_task
def sweep_reactions() -> int:
    """Publish again the reactions of events left waiting (a lost message, or listeners that kept failing)."""
    return events_publish_reactions(ids=events_awaiting_reactions(older_than=SWEEP_GRACE))


@shared_task
def purge_old_events() -> int:
    """Delete events older than EVENT_RETENTION_DAYS that were delivered everywhere, with their delivery logs."""
    return events_purge()
