from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from services.accounts.permissions import staff_scope
from services.accounts.selectors import staff_mfa_missing
from services.common.replica import reads_replica

from .charts import city_charts, public_statistics_charts
from .city import city_view
from .citymap import district_map
from .opendata import city_open_data_csv, city_open_data_json
from .selectors import public_statistics_cached

CITY_PERMISSION = "statistics.view_city"  # the city supervisors' role (the "City supervisors" group holds it)


@reads_replica("applications", "catalogue", "ratings")  # figures counted over everyone's applications
def public_statistics_page(request):
    """The public statistics page (no account needed): figures per department and service, with charts."""
    statistics = public_statistics_cached(today=timezone.localdate())
    context = {"statistics": statistics, "charts": public_statistics_charts(statistics=statistics)}
    return render(request, "statistics/public.html", context)


@reads_replica("statistics", "catalogue", "proactive", "circumstances")  # the summary table, services, panels
def city_view_page(request):
    """The city view, for city supervisors and administrators signed in with two factors; anyone else signed in
    finds no such page (404), and a visitor not signed in (or without the second factor yet) is sent to sign in."""
    user = request.user
    if not user.is_authenticated or (user.is_staff and staff_mfa_missing(request=request)):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    scope = staff_scope(request)
    if not (scope.is_staff and (scope.is_admin or user.has_perm(CITY_PERMISSION))):
        raise Http404
    view = city_view(today=timezone.localdate())
    context = {"view": view, "departments": city_charts(view=view), "map": district_map(districts=view.districts)}
    return render(request, "statistics/city.html", context)


@reads_replica("statistics", "catalogue", "proactive", "circumstances")
def city_open_data(request, extension: str):
    """The city view's figures as open data (no account needed: counts and rates only, small ones withheld)."""
    view = city_view(today=timezone.localdate())
    if extension == "csv":
        response = HttpResponse(city_open_data_csv(view=view), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(city_open_data_json(view=view), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="shanghai-city-view-{view.today:%Y-%m-%d}.{extension}"'
    return response
