from csp.decorators import csp_update
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET

from .errors import PROBLEM_CONTENT_TYPE


@require_GET
@csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
def redoc(request):
    """Serve Redoc from the portal's own static files; Redoc styles itself inline and searches in a blob worker,
    so this page alone allows inline styles and blob workers (scripts stay 'self' only)."""
    context = {"title": settings.SPECTACULAR_SETTINGS["TITLE"], "schema_url": reverse("schema")}
    return render(request, "api/redoc.html", context)


def _problem(*, status: int, title: str, code: str, detail: str) -> JsonResponse:
    body = {"type": f"urn:portal:problem:{code}", "title": title, "status": status, "detail": detail}
    body.update(code=code, errors=[])
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def page_not_found(request, exception):
    """Answer an unknown URL under /api/ (outside /api/v1/, which has its own) with a problem body."""
    if not request.path.startswith("/api/"):
        return defaults.page_not_found(request, exception)
    return _problem(status=404, title="Not Found", code="not_found", detail=_("Not found."))


def server_error(request):
    """Answer an unexpected error under /api/ with a problem body like every other error; elsewhere Django's page.

    Django calls this after logging the exception, so nothing is lost; the app gets the one error shape it knows.
    """
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    detail = _("Something went wrong on our side. Try again in a moment.")
    return _problem(status=500, title="Internal Server Error", code="server_error", detail=detail)
