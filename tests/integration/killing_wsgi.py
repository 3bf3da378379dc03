"""The portal's WSGI application for the fault tests, with a request header that kills its own gunicorn worker
(SIGKILL, as the kernel's OOM killer or a lost machine would) at a chosen point:

- ``X-Test-Die: before-answer``: when the API view has done its work, before its response is finalized (the point
  where a request used to have committed its changes but not yet recorded the answer of its Idempotency-Key);
- ``X-Test-Die: after-commit``: once the portal has answered, before a byte of the answer is written.
"""

import os
import signal

from portal.wsgi import application as portal  # sets Django up: DRF's views can be imported only then

HEADER = "HTTP_X_TEST_DIE"


def _api_view():
    from rest_framework.views import APIView  # after Django's set-up (above); isort would put it first

    return APIView


APIView = _api_view()
_finalize_response = APIView.finalize_response


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def finalize_response(self, request, response, *args, **kwargs):
    if request.META.get(HEADER) == "before-answer":
        _die()
    return _finalize_response(self, request, response, *args, **kwargs)


APIView.finalize_response = finalize_response


def application(environ, start_response):
    if environ.get(HEADER) != "after-commit":
        return portal(environ, start_response)
    portal(environ, lambda status, headers, exc_info=None: None)  # the request ran to its end: committed
    _die()
    return []  # never reached
