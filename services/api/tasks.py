from celery import shared_task

from .actions import idempotency_keys_purge


@shared_task
def purge_idempotency_keys() -> int:
    """Delete Idempotency-Key records older than their 24-hour lifetime."""
    return idempotency_keys_purge()
