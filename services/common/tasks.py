"""Publishing Celery tasks so that a broker outage never fails the request that published them, and retrying
tasks by a policy read from settings when they fail.

Each app's rows are its outbox (an application still ``submitted``, a notification not sent...) and a periodic
sweep publishes again what was not done, so a publish that cannot reach the broker is logged and dropped.
"""

import logging
import time
from functools import partial

from celery.contrib.django.task import DjangoTask
from celery.exceptions import Ignore, Retry
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.module_loading import import_string
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


# Once the broker has refused a message, this process stops trying for BROKER_DOWN_PAUSE_SECONDS: during an
# outage each request then answers at once instead of waiting for its own failed connection attempts.
_broker_down_until = 0.0


def _task(task):
    """Return the task itself for a task or its name (a task's name is its dotted path: Celery's default naming)."""
    return import_string(task) if isinstance(task, str) else task


def publish(task, args: tuple = (), kwargs: dict | None = None, *, reference: str = "", **options) -> bool:
    """Publish ``task(*args, **kwargs)`` (a task, or its name: an action then need not import its app's tasks,
    which import the actions); when the broker cannot be reached, log it and return False."""
    global _broker_down_until
    task = _task(task)
    extra = {"reference": reference, "unpublished": task.name, "task_args": args, "publish_options": options}
    if time.monotonic() < _broker_down_until:
        logger.warning("broker down: not published, the sweep will publish it again", extra=extra)
        return False
    try:
        task.apply_async(args, kwargs, **options)
    except OperationalError:
        _broker_down_until = time.monotonic() + settings.BROKER_DOWN_PAUSE_SECONDS
        logger.warning("broker unreachable: not published, the sweep will publish it again", exc_info=True, extra=extra)
        return False
    return True


def publish_again(task, pk: int, *, reference: str = "", **options) -> bool:
    """Publish ``task(pk)`` for a sweep, unless a sweep already did within SWEEP_REPUBLISH_AFTER_SECONDS (a mark
    in the cache); the message expires after that time too. While a queue's worker is down, each sweep run would
    otherwise add one more message per row, all waiting for the worker's return. The cache down, it publishes."""
    task = _task(task)
    seconds = settings.SWEEP_REPUBLISH_AFTER_SECONDS
    mark = f"published-again:{task.name}:{pk}"
    if cache.add(mark, 1, seconds) is False:  # None: the cache is down (django-redis ignores it)
        return False
    if not publish(task, (pk,), reference=reference, expires=seconds, **options):
        cache.delete(mark)  # not published after all: the next sweep tries again
        return False
    return True


def _waiting_mark(task) -> str:
    return f"waiting:{_task(task).name}"


def publish_coalesced(task, *, seconds: int, reference: str = "") -> bool:
    """Publish ``task()`` unless a message of it is already waiting to be taken (a mark in the cache for at most
    ``seconds``, cleared by ``coalesced_taken`` when the task starts): a burst of callers publishes one message. A
    message lost leaves its mark for ``seconds`` at most (a sweep covers its work). The cache down, it publishes."""
    mark = _waiting_mark(task)
    if cache.add(mark, 1, seconds) is False:
        return False
    if not publish(task, reference=reference):
        cache.delete(mark)  # not published after all: the next caller tries again
        return False
    return True


def coalesced_taken(task) -> None:
    """Say that a message of ``task`` published by ``publish_coalesced`` was taken: the next caller publishes one
    again. Called when the task starts, before it looks for work, so that no work can come between unseen."""
    cache.delete(_waiting_mark(task))


def publish_on_commit(task, args: tuple = (), kwargs: dict | None = None, *, reference: str = "", **options) -> None:
    """Publish ``task`` (or the task of that name) once the current transaction commits (never for one that rolls
    back), as ``publish``."""
    transaction.on_commit(partial(publish, _task(task), args, kwargs, reference=reference, **options))


class OutboxTask(DjangoTask):
    """The portal's task class (portal/celery.py): ``delay_on_commit`` and ``apply_async_on_commit`` never turn a
    committed request into an error when the broker is down."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        publish_on_commit(self, args, kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        publish_on_commit(self, args or (), kwargs, **options)


def retry_options(setting: str, *, retries: int) -> dict:
    """Return the ``countdown`` and ``max_retries`` of the retry after ``retries`` ones, by ``settings.<setting>``.

    The policy is a dict: ``max_retries`` (a number, or the name of the setting holding it), ``retry_backoff``
    (the first delay in seconds, doubled at each retry), ``retry_backoff_max`` and ``retry_jitter`` (default
    true: a random delay up to that one, as Celery's ``autoretry_for`` does).
    """
    options = getattr(settings, setting)
    max_retries = options["max_retries"]
    if isinstance(max_retries, str):
        max_retries = getattr(settings, max_retries)
    countdown = get_exponential_backoff_interval(
        factor=int(max(1.0, options["retry_backoff"])),
        retries=retries,
        maximum=options["retry_backoff_max"],
        full_jitter=options.get("retry_jitter", True),
    )
    return {"countdown": countdown, "max_retries": max_retries}


class RetryingTask(OutboxTask):
    """A task retried with exponential backoff when it raises one of ``retry_for``, by the policy in the setting
    named ``retry_setting`` (see ``retry_options``); ``on_failure`` runs once the retries are spent.

    Celery's ``autoretry_for`` copies its options when the task is declared, so a policy it took from settings
    could not be changed afterwards (``override_settings`` in tests); this reads the policy at each failure.
    Declared as ``@shared_task(base=RetryingTask, retry_setting="ROUTING_TASK_RETRY")``.
    """

    retry_for: tuple[type[Exception], ...] = (Exception,)
    retry_setting: str = ""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except (Ignore, Retry):
            raise
        except self.retry_for as exc:
            # self.request is the delivery's again here (with its retries so far): super().__call__ popped its own.
            options = retry_options(self.retry_setting, retries=self.request.retries)
            # retry() raises: Retry (published again after the countdown), or exc itself once the retries are spent.
            raise self.retry(exc=exc, **options) from exc
