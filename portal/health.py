"""Health for load balancers and Kubernetes.

/healthz: is the database reachable, and the broker (unless tasks run in-process)?
/readyz (readiness): as /healthz, and are all migrations applied? A pod answers traffic only then.
/livez (liveness): the process answers at all; it touches nothing else, so a database or broker outage never
makes Kubernetes restart every pod at once.
"""

import logging

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from portal.celery import app

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


@never_cache
def healthz(request):
    """Answer 200 when every check passes, else 503; always a JSON body naming each check's result."""
    checks = {}
    for name, check in (("database", _database), ("broker", _broker)):
        try:
            checks[name] = check()
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy, and says which
            logger.warning("health check %s failed", name, exc_info=True)
            checks[name] = f"error: {type(exc).__name__}"
    healthy = all(not value.startswith("error") for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503
    )


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
        except Exception as exc:  # noqa: BLE001 - any failure means not ready, and says which
            logger.warning("readiness check %s failed", name, exc_info=True)
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
