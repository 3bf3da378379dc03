from django.shortcuts import render
from django.utils import timezone

from services.common.replica import reads_replica

from .charts import public_statistics_charts
from .selectors import public_statistics_cached


@reads_replica("applications", "catalogue", "ratings")  # figures counted over everyone's applications
def public_statistics_page(request):
    """The public statistics page (no account needed): figures per department and service, with charts."""
    statistics = public_statistics_cached(today=timezone.localdate())
    context = {"statistics": statistics, "charts": public_statistics_charts(statistics=statistics)}
    return render(request, "statistics/public.html", context)
