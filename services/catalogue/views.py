from django.shortcuts import render

from .selectors import service_get_active, service_list


def catalogue(request):
    query = request.GET.get("q", "").strip()[:100]
    return render(request, "catalogue/list.html", {"services": service_list(query=query), "query": query})


def service_detail(request, slug):
    return render(request, "catalogue/detail.html", {"service": service_get_active(slug=slug)})
