"""Tasks: retry policies are read from settings when a task fails; sweeps publish through publish()."""

import ast
import logging
from pathlib import Path
from unittest import mock

import pytest
from kombu.exceptions import OperationalError

from services.accounts.actions import data_export_start
from services.accounts.tasks import build_data_export, sweep_data_exports
from services.common import tasks as publishing
from services.common.tasks import retry_options
from services.documents.models import ScanStatus
from services.documents.tasks import process_document, sweep_unprocessed
from services.notifications.actions import notify
from services.notifications.models import Event
from services.notifications.tasks import deliver_notification, sweep_undelivered
from tests.factories import DocumentFactory, UserFactory


def test_the_retry_limit_may_name_another_setting_read_at_each_failure(settings):
    """A policy whose max_retries names a setting follows that setting as it is now."""
    settings.RETRY_LIMIT_FOR_TEST = 4
    settings.TEST_TASK_RETRY = {"max_retries": "RETRY_LIMIT_FOR_TEST", "retry_backoff": 10, "retry_backoff_max": 600}
    before = retry_options("TEST_TASK_RETRY", retries=0)["max_retries"]
    settings.RETRY_LIMIT_FOR_TEST = 9

    assert (before, retry_options("TEST_TASK_RETRY", retries=0)["max_retries"]) == (4, 9)


def test_the_countdown_doubles_up_to_its_maximum_with_jitter_below_it(settings):
    """Without jitter: backoff, doubled each retry, capped; with it (the default): a delay from 0 up to that."""
    policy = {"max_retries": 8, "retry_backoff": 2, "retry_backoff_max": 60}
    settings.TEST_TASK_RETRY = {**policy, "retry_jitter": False}
    exact = [retry_options("TEST_TASK_RETRY", retries=retries)["countdown"] for retries in range(7)]
    settings.TEST_TASK_RETRY = policy
    jittered = [
        retry_options("TEST_TASK_RETRY", retries=retries)["countdown"] for retries in range(7) for _ in range(50)
    ]

    assert exact == [2, 4, 8, 16, 32, 60, 60]
    assert min(jittered) >= 0 and max(jittered) <= 60 and len(set(jittered)) > 10


def _pending_document():
    return DocumentFactory(scan_status=ScanStatus.PENDING)


def _undelivered_notification():
    return notify(event=Event.SUBMITTED, event_key="k:1", recipients=[UserFactory()], payload={"reference": "R-1"})


def _export_never_built():
    return data_export_start(user=UserFactory())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sweep", "swept", "unfinished", "age_setting"),
    [
        (sweep_unprocessed, process_document, _pending_document, "DOCUMENT_SCAN_SWEEP_AFTER_SECONDS"),
        (sweep_undelivered, deliver_notification, _undelivered_notification, "NOTIFICATION_SWEEP_AFTER_SECONDS"),
        (sweep_data_exports, build_data_export, _export_never_built, "DATA_EXPORT_SWEEP_AFTER_SECONDS"),
    ],
)
def test_a_sweep_outlives_a_broker_outage(sweep, swept, unfinished, age_setting, settings, monkeypatch, caplog):
    """Sweeps publish through publish(): the broker refusing is logged and the sweep ends (the next one publishes
    again), where a plain .delay() would fail the sweep at its first message."""
    monkeypatch.setattr(publishing, "_broker_down_until", 0.0)  # restored afterwards
    unfinished()
    setattr(settings, age_setting, -1)

    with (
        mock.patch.object(swept, "apply_async", side_effect=OperationalError("down")) as broker,
        caplog.at_level(logging.WARNING),
    ):
        swept_count = sweep.apply().get()

    assert broker.call_count == swept_count >= 1  # each tried, none stopping the sweep
    assert {r.unpublished for r in caplog.records if r.name == "services.common.tasks"} == {swept.name}


def test_tasks_publish_other_tasks_only_through_publish():
    """No task module calls .delay() or .apply_async() itself: publish() (or delay_on_commit) survives the broker."""
    services = Path(__file__).resolve().parents[2] / "services"
    modules = [*services.glob("*/tasks.py"), *services.glob("*/tasks/*.py")]
    direct = [
        f"{path.relative_to(services)}:{node.lineno}"
        for path in modules
        if path != services / "common" / "tasks.py"  # publish() itself
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"delay", "apply_async"}
    ]

    assert len(modules) > 5 and direct == []
