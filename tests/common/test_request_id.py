"""A request id: taken from the proxy's X-Request-ID or made, sent back, on every log line written while serving
the request, and put into the headers of the tasks it publishes (tests/integration/test_request_id.py follows it
through real workers)."""

import io
import json
import logging

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from services.common.logging import JsonFormatter
from services.common.request_id import RequestIdMiddleware, add_request_id_to_message, current_request_id


@pytest.fixture
def json_log():
    """The lines logged by the "portal.test" logger, as the portal writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("portal.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


def serve(headers: dict, view=None):
    """Run a request through the middleware; ``view`` runs inside it."""
    seen = {}

    def get_response(request):
        seen["id"], seen["headers"] = current_request_id(), {}
        add_request_id_to_message(headers=seen["headers"])
        if view:
            view()
        return HttpResponse()

    response = RequestIdMiddleware(get_response)(RequestFactory().get("/", headers=headers))
    return response, seen


def test_the_proxys_request_id_is_kept_and_sent_back():
    response, seen = serve({"X-Request-ID": "ingress-4f2a9c1e"})

    assert seen["id"] == response["X-Request-ID"] == "ingress-4f2a9c1e"


@pytest.mark.parametrize("given", [None, "short", "has spaces and {json}", "x" * 65])
def test_without_a_well_formed_one_a_new_id_is_made(given):
    response, seen = serve({"X-Request-ID": given} if given else {})

    assert seen["id"] == response["X-Request-ID"] != given
    assert len(seen["id"]) == 32


def test_log_lines_and_published_tasks_carry_the_id_only_during_the_request(json_log):
    response, seen = serve({"X-Request-ID": "req-0123456789"}, view=lambda: logging.getLogger("portal.test").info("in"))
    logging.getLogger("portal.test").info("after")

    inside, after = json_log()
    assert inside["request_id"] == "req-0123456789" == seen["headers"]["request_id"]
    assert "request_id" not in after
    assert current_request_id() == ""
