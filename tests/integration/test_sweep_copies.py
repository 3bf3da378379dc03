"""A sweep run again and again while its queue's worker is down publishes each row's work once (the message
expiring after SWEEP_REPUBLISH_AFTER_SECONDS), not once per run: after an outage of a worker the backlog is
one message per row. Real Redis."""

import pytest
import redis

from portal.celery import app as celery_app
from services.documents.models import ScanStatus
from services.documents.tasks import sweep_unprocessed
from tests.factories import DocumentFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_sweep_run_five_times_publishes_each_document_once(real_services, settings):
    """No worker takes the documents queue here: five sweeps over two pending documents leave two messages."""
    settings.DOCUMENT_SCAN_SWEEP_AFTER_SECONDS = -1
    for _ in range(2):
        DocumentFactory(scan_status=ScanStatus.PENDING)
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    key = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] + "documents"
    broker.delete(key)
    celery_app.conf.task_always_eager = False
    try:
        found = [sweep_unprocessed.apply().get() for _ in range(5)]
        waiting = broker.llen(key)
    finally:
        celery_app.conf.task_always_eager = True
        broker.delete(key)

    assert found == [2] * 5
    assert waiting == 2
