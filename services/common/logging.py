"""JSON log lines: one object per line with the time, level, logger, message, the request id (the web request, or
the one whose work a task continues), the Celery task running (if any) and whatever the call passed in ``extra=``
(``reference``, ``queue``, ...). A request passed along (Django logs its 4xx and 5xx so) is written as its method and
path: its query string may hold personal data."""

import datetime as dt
import json
import logging

from celery import current_task
from django.http import HttpRequest

from .request_id import current_request_id

# The attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        task = current_task
        if task and task.request.id:
            entry.update(task_id=task.request.id, task=task.name)
        entry.update((key, _loggable(value)) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _loggable(value):
    return f"{value.method} {value.path}" if isinstance(value, HttpRequest) else value
