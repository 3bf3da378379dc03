"""A request id that follows a resident's request into the tasks it publishes, and theirs in turn, so that one
submission's log lines can be found in the web's, the routing worker's and the department worker's logs alike.

The web takes the proxy's ``X-Request-ID`` (ingress-nginx sets one) or makes one, and answers with it; every task
published while serving the request carries it in its message headers; a task publishing more passes it on.
"""

import re
import uuid
from contextvars import ContextVar

from celery import current_task

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")  # an id from outside goes into every log line: nothing else


def current_request_id() -> str:
    """Return the id of the request being served, or of the request whose work the running task continues."""
    task = current_task
    return _request_id.get() or (task and getattr(task.request, "request_id", None)) or ""


class RequestIdMiddleware:
    """Give each request its id (the proxy's X-Request-ID if well formed) for the logs, and send it back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


def add_request_id_to_message(headers=None, **kwargs) -> None:
    """Celery's before_task_publish: put the current request id into the message's headers."""
    request_id = current_request_id()
    if request_id and headers is not None:
        headers.setdefault("request_id", request_id)
