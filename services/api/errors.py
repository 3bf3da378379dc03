"""One error body for the whole API: RFC 9457 problem details, with field errors listed."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from services.common.errors import DomainError

from .problems import PROBLEM_CONTENT_TYPE, TOO_LARGE


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = TOO_LARGE
    default_code = "too_large"


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path of the field; empty for the body as a whole.")
    message = serializers.CharField()
    code = serializers.CharField()


class MissingDocumentSerializer(serializers.Serializer):
    question = serializers.CharField(help_text="The form's document question.")
    document_type = serializers.CharField(help_text="The document type's code.")
    name = serializers.CharField(help_text="The document type's name in the response's language.")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="A URI naming the kind of problem.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(
        help_text="Stable machine-readable code: invalid, parse_error, not_authenticated, not_found, "
        "invalid_transition, throttled, ..."
    )
    errors = FieldErrorSerializer(many=True)
    missing_documents = MissingDocumentSerializer(
        many=True, required=False, help_text="With the code documents_missing: each document the form still needs."
    )


def _flatten(data, prefix="") -> list[dict]:
    if isinstance(data, dict):
        return [e for key, value in data.items() for e in _flatten(value, ".".join(filter(None, (prefix, str(key)))))]
    if isinstance(data, list) and data and not isinstance(data[0], (str, exceptions.ErrorDetail)):
        return [e for i, value in enumerate(data) for e in _flatten(value, f"{prefix}.{i}")]
    items = data if isinstance(data, list) else [data]
    field = "" if prefix in ("non_field_errors", "") else prefix
    return [{"field": field, "message": str(m), "code": getattr(m, "code", "invalid")} for m in items]


def _printable(text: str) -> str:
    # A field name or message may echo the request's text: a NUL in it would make the body one that PostgreSQL
    # cannot store (text and jsonb refuse \u0000), as the Idempotency-Key replay does.
    return text.replace("\x00", "\ufffd")


def problem(*, status_code: int, code: str, detail: str, errors=(), headers=None, extensions=None) -> Response:
    body = {
        **(extensions or {}),  # RFC 9457 extension members, e.g. the missing documents (DocumentsMissing)
        "type": f"urn:portal:problem:{code}",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": _printable(str(detail)),
        "code": code,
        "errors": [{name: _printable(str(value)) for name, value in error.items()} for error in errors],
    }
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc, context):
    """Turn DRF and domain exceptions into problem-details responses."""
    if isinstance(exc, DomainError):
        errors = _flatten(getattr(exc, "errors", {}) or {})
        extensions = getattr(exc, "problem_extensions", None)
        return problem(
            status_code=exc.status_code, code=exc.code, detail=str(exc), errors=errors, extensions=extensions
        )
    if isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail, code, errors = "The request has errors; see the list.", "invalid", _flatten(exc.detail)
    else:
        detail, code, errors = str(exc.detail), exc.get_codes() if isinstance(exc.get_codes(), str) else "error", []
    return problem(
        status_code=response.status_code,
        code=code,
        detail=detail,
        errors=errors,
        headers={k: v for k, v in response.items() if k in ("Retry-After", "WWW-Authenticate")},
    )
