from django.conf import settings
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext as _

from services.api.throttling import limit_allows
from services.common.http import client_address
from services.common.replica import reads_replica

from .selectors import catalogue_facets, service_list

FILTERS = ("department", "category", "life_event")


@reads_replica("catalogue")
def catalogue(request):
    query = request.GET.get("q", "").strip()[:100]
    filters = {name: request.GET.get(name, "").strip()[:40] for name in FILTERS}
    status = 200
    # Searches cost the database most: SEARCH_RATE per address, then the page says to wait (nothing is searched).
    if query and not limit_allows(key=f"search:{client_address(request)}", rate=settings.SEARCH_RATE):
        messages.error(request, _("Too many searches from your network. Wait a minute, then search again."))
        query, status = "", 429
    context = {
        "services": service_list(query=query, **filters),
        "query": query,
        "filters": filters,
        **catalogue_facets(),
    }
    return render(request, "catalogue/list.html", context, status=status)
