import datetime as dt

from celery import shared_task
from django.conf import settings

from services.common.tasks import RetryingTask, publish_again

from .actions import document_scan
from .scanning import ScannerUnavailable
from .selectors import unscanned_document_ids


@shared_task(base=RetryingTask, retry_for=(ScannerUnavailable,), retry_setting="DOCUMENT_SCAN_TASK_RETRY")
def scan_document(document_id: int) -> None:
    """Scan one uploaded document for malware; retried while the scanner is down (it stays pending)."""
    document_scan(document_id=document_id)


@shared_task
def sweep_unscanned() -> int:
    """Publish the scan again for documents still pending (a lost message, or a scanner down too long)."""
    ids = unscanned_document_ids(older_than=dt.timedelta(seconds=settings.DOCUMENT_SCAN_SWEEP_AFTER_SECONDS))
    for document_id in ids:
        publish_again(scan_document, document_id)
    return len(ids)
