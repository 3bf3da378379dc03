"""Health for load balancers, Kubernetes and operators.

/healthz: is the database reachable, the broker (unless tasks run in-process), and is every queue's work being
taken (no message waiting longer than HEALTH_QUEUE_MAX_AGE_SECONDS: a dead or stuck worker shows here)?
/readyz (readiness): the database, the broker, and are all migrations applied? A pod answers traffic only then (a
stuck worker is not a reason to stop serving pages).
/livez (liveness): the process answers at all; it touches nothing else, so a database or broker outage never
makes Kubernetes restart every pod at once.
"""

import json
import logging
import time

import redis
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from portal.celery import app
from services.catalogue.models import Department, department_queue

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


def portal_queues() -> list[str]:
    """Return the portal's Celery queues: those of the settings and each department's intake queue."""
    codes = Department.objects.order_by("code").values_list("code", flat=True)
    return [queue.name for queue in settings.CELERY_TASK_QUEUES] + [department_queue(code) for code in codes]


def queue_ages(*, queues: list[str]) -> dict[str, float | None]:
    """Return how long (seconds) the oldest message of each queue has waited, None for an empty queue, read from
    the broker's Redis (each message carries its publishing time: portal/celery.py). A queue whose workers are
    dead, stuck or missing shows as an age that keeps growing."""
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
    now, ages = time.time(), {}
    for queue in queues:
        oldest = client.lindex(prefix + queue, -1)  # kombu pushes on the left and takes from the right
        published = json.loads(oldest).get("headers", {}).get("published_at") if oldest else None
        ages[queue] = round(now - published, 1) if published else None
    return ages


def _queues() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    ages = queue_ages(queues=portal_queues())
    limit = settings.HEALTH_QUEUE_MAX_AGE_SECONDS
    late = [f"{queue} ({age:.0f} s)" for queue, age in ages.items() if (age or 0) > limit]
    return f"error: waiting too long in {', '.join(late)}" if late else "ok"


@never_cache
def healthz(request):
    """Answer 200 when every check passes, else 503; always a JSON body naming each check's result."""
    return _report((("database", _database), ("broker", _broker), ("queues", _queues)))


_migrated = False  # once all migrations are applied they stay applied for this process's code


def _migrations() -> str:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            raise RuntimeError(f"{len(pending)} migrations not applied")
        _migrated = True
    return "ok"


def _report(checks) -> JsonResponse:
    results = {}
    for name, check in checks:
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy (not ready), and says which
            logger.warning("health check %s failed", name, exc_info=True)
            results[name] = f"error: {type(exc).__name__}"
    ready = all(not value.startswith("error") for value in results.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503)


@never_cache
def readyz(request):
    """Answer 200 when the database and broker answer and every migration is applied, else 503 naming the check."""
    return _report((("database", _database), ("broker", _broker), ("migrations", _migrations)))


@never_cache
def livez(request):
    """Answer 200 while the process serves requests, without touching the database or the broker."""
    return JsonResponse({"status": "ok"})
