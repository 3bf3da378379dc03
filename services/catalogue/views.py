from django.shortcuts import render

from services.common.replica import reads_replica

from .selectors import catalogue_facets, service_list

FILTERS = ("department", "category", "life_event")


@reads_replica("catalogue")
def catalogue(request):
    query = request.GET.get("q", "").strip()[:100]
    filters = {name: request.GET.get(name, "").strip()[:40] for name in FILTERS}
    context = {
        "services": service_list(query=query, **filters),
        "query": query,
        "filters": filters,
        **catalogue_facets(),
    }
    return render(request, "catalogue/list.html", context)
