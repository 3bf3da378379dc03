import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from services.common.tasks import RetryingTask, coalesced_taken, publish, publish_again

from .actions import (
    application_intake_check,
    application_intake_failed,
    application_intake_refresh,
    application_route,
    application_routing_failed,
    applications_mark_overdue,
    applications_route_batch,
    periodic_run_record,
)
from .selectors import overdue_application_ids, unchecked_application_ids, unrouted_application_ids


def _routing_failed(task, exc, task_id, args, kwargs, einfo):
    application_routing_failed(application_id=args[0])


def _intake_failed(task, exc, task_id, args, kwargs, einfo):
    application_intake_failed(application_id=args[0])


# Retries with exponential backoff (settings.ROUTING_TASK_RETRY); on_failure runs once they are spent.
@shared_task(base=RetryingTask, retry_setting="ROUTING_TASK_RETRY", on_failure=_routing_failed)
def route_application(application_id: int) -> None:
    """Route one submitted application to its queue (idempotent)."""
    application_route(application_id=application_id)


# Taken as a message waiting for it (publish_coalesced): a submission that commits from now on publishes the next one.
@shared_task(base=RetryingTask, retry_setting="ROUTING_TASK_RETRY")
def route_submitted() -> int:
    """Route a batch of the oldest submitted applications in one transaction (idempotent); return how many."""
    coalesced_taken(route_submitted)
    return len(applications_route_batch(limit=settings.ROUTING_BATCH_SIZE))


@shared_task(base=RetryingTask, retry_setting="ROUTING_TASK_RETRY", on_failure=_intake_failed)
def intake_application(application_id: int) -> None:
    """Run a department's intake checks on a routed application (idempotent)."""
    application_intake_check(application_id=application_id)


def _intakes_failed(task, exc, task_id, args, kwargs, einfo):
    for application_id in args[0]:
        application_intake_failed(application_id=application_id)  # those checked already are left as they are


@shared_task(base=RetryingTask, retry_setting="ROUTING_TASK_RETRY", on_failure=_intakes_failed)
def intake_applications(application_ids: list[int]) -> None:
    """Run a department's intake checks on routed applications, each in its own transaction (idempotent); if one
    fails, the others are checked all the same and the task is retried (those done return at once)."""
    failed = None
    for application_id in application_ids:
        try:
            application_intake_check(application_id=application_id)
        except Exception as exc:
            failed = exc
    if failed is not None:
        raise failed


@shared_task(base=RetryingTask, retry_setting="ROUTING_TASK_RETRY")
def refresh_intake(application_id: int) -> None:
    """Check an application's intake again once documents arrived (idempotent)."""
    application_intake_refresh(application_id=application_id)


@shared_task
def sweep_routing() -> dict:
    """Publish again the routing and intake work whose message was lost (the rows are the outbox)."""
    older_than = dt.timedelta(seconds=settings.ROUTING_SWEEP_AFTER_SECONDS)
    unrouted = unrouted_application_ids(older_than=older_than)
    unchecked = unchecked_application_ids(older_than=older_than)
    for application_id in unrouted:
        publish_again(route_application, application_id)
    for application_id, queue in unchecked:
        publish_again(intake_application, application_id, queue=queue)
    if unrouted:  # and a batch, which goes on batch after batch while it finds more (after an outage: many)
        # Expiring as publish_again's messages do: sweeps while the routing worker is down leave a few at most.
        publish(route_submitted, expires=settings.SWEEP_REPUBLISH_AFTER_SECONDS)
    result = {"routing": len(unrouted), "intake": len(unchecked)}
    periodic_run_record(name="sweep_routing", result=result)
    return result


@shared_task
def mark_overdue() -> int:
    """Mark applications past their legal due date, raise their priority and notify their supervisors."""
    today, marked = timezone.localdate(), 0
    # In batches, each its own transaction within the task's time limit: a backlog after an outage drains
    # batch by batch instead of one transaction that times out and starts again every run.
    while batch := overdue_application_ids(today=today, limit=settings.ROUTING_OVERDUE_BATCH):
        done = len(applications_mark_overdue(application_ids=batch))
        marked += done
        if not done:  # all held by an overlapping run: it notifies them
            break
    periodic_run_record(name="mark_overdue", result={"overdue": marked})
    return marked
