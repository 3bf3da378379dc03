"""Problem bodies (RFC 9457) answered outside DRF's views: by middleware and Django's error handlers.

Kept apart from errors.py, which imports DRF's views: middleware loads before them, and DRF's views load the
parsers, which need the errors.
"""

from http import HTTPStatus

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

PROBLEM_CONTENT_TYPE = "application/problem+json"
TOO_LARGE = _("The request body is too large.")


def problem_json(*, status_code: int, code: str, detail: str) -> JsonResponse:
    """Return a problem body outside DRF's views (Django's error handlers, middleware)."""
    body = {"type": f"urn:portal:problem:{code}", "title": HTTPStatus(status_code).phrase, "status": status_code}
    body.update(detail=str(detail), code=code, errors=[])
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)
