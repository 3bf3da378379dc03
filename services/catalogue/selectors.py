from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import Service


def service_list(*, query: str = "") -> list[Service]:
    """Return the services open for applications, optionally those whose title contains ``query``."""
    services = Service.objects.active().select_related("department")
    if query:
        services = services.filter(Q(title_zh__icontains=query) | Q(title_en__icontains=query))
    return list(services)


def service_get_active(*, slug: str) -> Service:
    """Return the open service with this slug or raise Http404."""
    return get_object_or_404(Service.objects.active().select_related("department"), slug=slug)
