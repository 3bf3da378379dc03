import datetime as dt

from celery import shared_task
from django.utils import timezone

from services.common.tasks import RetryingTask

from .actions import payments_expire
from .reconciliation import reconcile
from .refunds import refund_send


# A provider out of reach is retried with backoff (PAYMENT_TASK_RETRY); the refund number makes a repeat harmless.
@shared_task(base=RetryingTask, retry_setting="PAYMENT_TASK_RETRY")
def send_refund(refund_id: int) -> None:
    """Send an approved refund to the provider (idempotent)."""
    refund_send(refund_id=refund_id)


@shared_task
def expire_payments() -> int:
    """Expire payments past their time, asking the provider about each first."""
    return payments_expire()


@shared_task(base=RetryingTask, retry_setting="PAYMENT_TASK_RETRY")
def reconcile_yesterday() -> int:
    """Compare yesterday's payments with the provider's statement; return the mismatches found."""
    return reconcile(day=timezone.localdate() - dt.timedelta(days=1)).mismatches
