"""Structured logs: one JSON object per line naming the application reference and the Celery task."""

import json
import logging
import sys

from celery import shared_task

from services.common.logging import JsonFormatter


def format_record(message="routed", **extra) -> dict:
    record = logging.getLogger("services.routing.actions").makeRecord(
        "services.routing.actions", logging.INFO, __file__, 1, message, (), None, extra=extra
    )
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_json_with_the_extra_fields():
    line = format_record(reference="HLT-2026-000123", queue="dept.health")

    assert line["message"] == "routed"
    assert (line["level"], line["logger"]) == ("INFO", "services.routing.actions")
    assert (line["reference"], line["queue"]) == ("HLT-2026-000123", "dept.health")
    assert line["time"].endswith("+00:00")
    assert "task_id" not in line


@shared_task
def log_something() -> dict:
    return format_record(reference="EDU-2026-000001")


def test_inside_a_task_the_line_names_the_task_and_its_id():
    result = log_something.apply(task_id="a-task-id")

    assert result.get()["task_id"] == "a-task-id"
    assert result.get()["task"].endswith("log_something")


def test_an_exception_is_one_field_of_the_same_line():
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.getLogger("x").makeRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: broken" in line["exception"]
