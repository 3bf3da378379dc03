from csp.decorators import csp_update
from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET


@require_GET
@csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})
def redoc(request):
    """Serve Redoc from the portal's own static files; Redoc styles itself inline and searches in a blob worker,
    so this page alone allows inline styles and blob workers (scripts stay 'self' only)."""
    context = {"title": settings.SPECTACULAR_SETTINGS["TITLE"], "schema_url": reverse("schema")}
    return render(request, "api/redoc.html", context)
