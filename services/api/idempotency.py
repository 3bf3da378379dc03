"""Safe retries: ``Idempotency-Key`` on unsafe POSTs (IETF httpapi idempotency-key-header draft).

Same key and same request: the first response is replayed and nothing runs twice. Same key with another
request: 422. A retry while the first is still running waits up to IDEMPOTENCY_WAIT_SECONDS for its answer and
replays it, or is a 409 if the first is still running then. Keys belong to the caller and last 24 hours.

A request with a key runs in one transaction with its key and its answer: after a crash at any point (before the
commit: nothing happened and the retry runs; after it: the retry replays the answer the caller never received).
"""

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer

from .actions import KeyConflict, idempotency_key_claim, idempotency_key_finish, request_fingerprint
from .errors import PROBLEM_CONTENT_TYPE

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
REPLAYED_HEADERS = ("Location", "Retry-After")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A unique value (e.g. a UUID) per intended action. Retrying with the same key and body replays "
    "the first response (header `Idempotent-Replayed: true`) instead of acting twice; the same key with another "
    "body is a 422. A retry while the first request is still running waits a few seconds for its answer and replays "
    "it, or is a 409 if the first is still running then. Keys are per account and last 24 hours.",
)


class KeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed; retry later.")
    default_code = "idempotency_key_in_use"


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used for a different request.")
    default_code = "idempotency_key_reused"


class _Replay(Exception):
    def __init__(self, response):
        self.response = response


class IdempotentPostMixin:
    """Honour ``Idempotency-Key`` on POST: add it first among an API view's bases."""

    def dispatch(self, request, *args, **kwargs):
        if request.method != "POST" or not request.headers.get(HEADER, "").strip():
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():  # the view's writes, the key and its answer commit together (module docstring)
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions and throttles first
        self._idempotency_key = None
        key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not key or not request.user.is_authenticated:
            return
        if len(key) > MAX_KEY_LENGTH:
            raise exceptions.ValidationError({HEADER: [_("The Idempotency-Key is too long.")]})
        fingerprint = request_fingerprint(
            method=request.method, path=request.path, data=request.data, files=request.FILES
        )
        try:
            stored = idempotency_key_claim(
                user=request.user, key=key, method=request.method, path=request.path, request_hash=fingerprint
            )
        except KeyConflict as exc:
            raise (KeyInUse if exc.status_code == 409 else KeyReused)() from None
        if stored is not None:  # the answer sent as it was first sent: its JSON text, not rendered again
            content_type = PROBLEM_CONTENT_TYPE if stored.response_status >= 400 else JSONRenderer.media_type
            response = HttpResponse(
                stored.response_body or b"",
                status=stored.response_status,
                content_type=content_type,
                headers=stored.response_headers,
            )
            response["Idempotent-Replayed"] = "true"
            raise _Replay(response)
        self._idempotency_key = key

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)  # an uncaught error leaves dispatch's transaction: the key goes too

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(self, "_idempotency_key", None)
        if key and response.status_code >= 500:  # a server error undoes the request and frees the key: retry runs
            self._idempotency_key = None
            transaction.set_rollback(True)
        elif key:
            self._idempotency_key = None
            # The answer kept as it is sent: rendered once, here (Django then sends it as it is).
            body = None if getattr(response, "data", None) is None else response.render().content.decode()
            idempotency_key_finish(
                user=request.user,
                key=key,
                status_code=response.status_code,
                body_json=body,
                headers={name: response[name] for name in REPLAYED_HEADERS if response.has_header(name)},
            )
        return response
