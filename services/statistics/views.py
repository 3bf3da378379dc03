from django.shortcuts import render
from django.utils import timezone

from .charts import public_statistics_charts
from .selectors import public_statistics_cached


def public_statistics_page(request):
    """The public statistics page (no account needed): figures per department and service, with charts."""
    statistics = public_statistics_cached(today=timezone.localdate())
    context = {"statistics": statistics, "charts": public_statistics_charts(statistics=statistics)}
    return render(request, "statistics/public.html", context)
