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


def server_error(request):
    """Answer an unexpected error under /api/ with a problem body like every other error; elsewhere Django's page.

    Django calls this after logging the exception, so nothing is lost; the app gets the one error shape it knows.
    """
    if not request.path.startswith("/api/"):
        return defaults.server_error(request)
    body = {
        "type": "urn:portal:problem:server_error",
        "title": "Internal Server Error",
        "status": 500,
        "detail": _("Something went wrong on our side. Try again in a moment."),
        "code": "server_error",
        "errors": [],
    }
    return JsonResponse(body, status=500, content_type=PROBLEM_CONTENT_TYPE)
