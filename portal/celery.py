"""The Celery app: configured from Django settings (CELERY_* names), tasks found in each app."""

import logging.config
import os
import time

from celery import Celery
from celery.signals import before_task_publish, setup_logging, task_prerun
from django.conf import settings
from django.db import close_old_connections

from services.common.request_id import add_request_id_to_message

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

# OutboxTask: publishing after commit logs a broker outage instead of failing the request (the sweeps recover).
app = Celery("portal", task_cls="services.common.tasks:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_django_logging(**kwargs):
    """Let workers and beat log as the web does (settings.LOGGING: JSON lines) instead of Celery's own format."""
    logging.config.dictConfig(settings.LOGGING)


@task_prerun.connect
def check_database_connection(task=None, **kwargs):
    """Before each task, drop a database connection that died (PostgreSQL restarted) or outlived CONN_MAX_AGE, as
    Django does before each request; with CONN_HEALTH_CHECKS the kept one is tested before the task uses it.

    Celery's Django fixup closes it only every CELERY_DB_REUSE_MAX tasks, so a worker kept a dead connection and
    failed its next tasks until then. A task run in-process (eager) uses its caller's connection, left alone.
    """
    if task is not None and not task.request.is_eager:
        close_old_connections()


# The request id follows the work: web → routing → the department's worker (services/common/request_id.py).
before_task_publish.connect(add_request_id_to_message)


@before_task_publish.connect
def stamp_publishing_time(headers=None, **kwargs):
    """Stamp each message with the time it was published: /healthz reports how long the oldest one has waited."""
    if headers is not None:
        headers.setdefault("published_at", time.time())
