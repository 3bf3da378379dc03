import datetime as dt

from celery import shared_task
from django.conf import settings

from .actions import application_intake_check, application_route
from .selectors import unrouted_application_ids


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=60, max_retries=5)
def route_application(application_id: int) -> None:
    """Route one submitted application to its department queue (idempotent)."""
    application_route(application_id=application_id)


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=60, max_retries=5)
def intake_application(application_id: int) -> None:
    """Run a department's intake checks on a routed application (idempotent)."""
    application_intake_check(application_id=application_id)


@shared_task
def sweep_unrouted() -> int:
    """Re-publish routing for applications whose routing message was lost."""
    ids = unrouted_application_ids(older_than=dt.timedelta(seconds=settings.ROUTING_SWEEP_AFTER_SECONDS))
    for application_id in ids:
        route_application.delay(application_id)
    return len(ids)
