"""/healthz with a real broker: a message left waiting in a queue nobody consumes turns it 503, naming the queue
and its age; the queue empty again, it is 200."""

import time

import pytest
import redis

from portal.celery import app as celery_app
from portal.health import portal_queues, queue_ages
from services.documents.tasks import process_document

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_queue_whose_worker_is_gone_shows_in_the_health_report(real_services, client, settings, health):
    """No documents worker runs here: a scan published to its queue waits, and after HEALTH_QUEUE_MAX_AGE_SECONDS
    /healthz is a 503 naming the documents queue; every department's intake queue is watched too."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTH_QUEUE_MAX_AGE_SECONDS = 1
    celery_app.conf.task_always_eager = False
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]  # this run's own keys
    broker.delete(*[prefix + queue for queue in portal_queues()])  # what earlier tests left unconsumed
    key = prefix + "documents"
    try:
        process_document.apply_async((0,))
        fresh = client.get("/healthz")
        time.sleep(1.5)
        ages = queue_ages(queues=["documents", "routing"])
        late = client.get("/healthz")
    finally:
        celery_app.conf.task_always_eager = True
        broker.delete(key)
    emptied = client.get("/healthz")

    assert "dept.health" in portal_queues()
    assert fresh.status_code == 200, fresh.json()
    assert ages["documents"] >= 1.5 and ages["routing"] is None
    assert late.status_code == 503
    assert late.json()["checks"]["queues"].startswith("error: waiting too long in documents (")
    assert emptied.status_code == 200
