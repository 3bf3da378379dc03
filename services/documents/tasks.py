import datetime as dt

from celery import shared_task
from django.conf import settings

from services.common.tasks import RetryingTask, publish_again

from .actions import document_process
from .scanning import ScannerUnavailable
from .selectors import unprocessed_document_ids


@shared_task(base=RetryingTask, retry_for=(ScannerUnavailable,), retry_setting="DOCUMENT_SCAN_TASK_RETRY")
def process_document(document_id: int) -> None:
    """Virus-check and clean one uploaded document; retried while the scanner is down (it stays pending)."""
    document_process(document_id=document_id)


@shared_task
def sweep_unprocessed() -> int:
    """Publish the processing again for documents still pending (a lost message, a worker that died while processing
    it, or a scanner down too long)."""
    ids = unprocessed_document_ids(older_than=dt.timedelta(seconds=settings.DOCUMENT_SCAN_SWEEP_AFTER_SECONDS))
    for document_id in ids:
        publish_again(process_document, document_id)
    return len(ids)
