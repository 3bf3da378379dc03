"""The Celery app: configured from Django settings (CELERY_* names), tasks found in each app."""

import logging.config
import os

from celery import Celery
from celery.signals import before_task_publish, setup_logging
from django.conf import settings

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


# The request id follows the work: web → routing → the department's worker (services/common/request_id.py).
before_task_publish.connect(add_request_id_to_message)
