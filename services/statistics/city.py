"""Reads of the city view (for city supervisors) and of its open-data export: demand per service and district,
backlog and on-time rate per department by month, the services most often asked for missing information and a
forecast of next month's applications, all read from the summary table ``CityMonth`` (never the applications), with
every figure resting on fewer than ``MINIMUM_APPLICATIONS`` applications withheld (``figure_status``)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Sum
from django.utils import translation
from django.utils.translation import gettext_lazy

from services.accounts.models import District
from services.catalogue.models import Service
from services.circumstances.selectors import unacknowledged_by_department
from services.common.i18n import localized
from services.proactive.selectors import uptake_by_service

from .forecast import HELD_OUT, LEVEL_MONTHS, add_months, backtest, forecast
from .models import CityMonth
from .selectors import MINIMUM_APPLICATIONS, Stat, count_stat, figure_status

SHOWN_MONTHS = 12  # the tables and charts: the last 12 months, this one included
READ_MONTHS = 20  # read for the forecast: its seasonality looks 16 months back from a held-out month
TOP_RETURNED = 10


@dataclass(frozen=True)
class Named:
    """A row of the city view: a name in both languages (worded at display time) and its figures."""

    name_zh: str
    name_en: str
    code: str  # the service's slug, the department's code or the district's, the month (open data's key)
    figures: dict[str, Stat] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return localized(self, "name")

    def __getattr__(self, figure: str) -> Stat:  # charts.bar_chart reads a figure as an attribute
        try:
            return self.__dict__["figures"][figure]
        except KeyError:
            raise AttributeError(figure) from None


@dataclass(frozen=True)
class DepartmentMonths:
    department: Named
    months: list[Named]  # backlog at the month's end and on-time rate of the month's decisions


@dataclass(frozen=True)
class CityView:
    today: dt.date
    first_month: dt.date
    forecast_month: dt.date
    refreshed_at: dt.datetime | None
    services: list[Named]  # demand, forecast and its accuracy
    districts: list[Named]  # demand
    departments: list[DepartmentMonths]
    returned: list[Named]  # the services most often asked for missing information, most first
    total: Named  # the city's forecast and its accuracy
    held_out: list[dt.date]
    uptake: list[Named]  # per service: proactive offers offered, confirmed, declined, granted
    unacknowledged: list[Named]  # per department: changes of circumstances pending, and of those escalated
    minimum: int = MINIMUM_APPLICATIONS


def suppressed(counts: dict[str, int], *, unpublished: int = 0) -> dict[str, Stat]:
    """Return ``counts`` as figures, those of 1 to 4 applications withheld, and, when the withheld ones (with the
    ``unpublished`` rest of their total) add up to 1 to 4 (their sum could be worked out from a total), the smallest
    shown ones too until they add up to more."""
    withheld = {key for key, n in counts.items() if figure_status(n) == "few"}
    hidden = unpublished + sum(counts[key] for key in withheld)
    for key in sorted((k for k in counts if k not in withheld and counts[k]), key=lambda k: counts[k]):
        if not 0 < hidden < MINIMUM_APPLICATIONS:
            break
        withheld.add(key)
        hidden += counts[key]
    return {key: count_stat(n, withheld=key in withheld) for key, n in counts.items()}


def _uptake(row: dict) -> Named:
    """Return a service's proactive uptake: offers made (not granted), of which confirmed and declined (the rest,
    still open, is not published, so it counts as withheld), and benefits granted without asking."""
    answered = {"confirmed": row["confirmed"], "declined": row["declined"]}
    figures = {
        "offered": count_stat(row["offered"]),
        **suppressed(answered, unpublished=row["offered"] - sum(answered.values())),
        "granted": count_stat(row["granted"]),
    }
    return Named(name_zh=row["title_zh"], name_en=row["title_en"], code=row["service"], figures=figures)


def _unacknowledged(row: dict) -> Named:
    """Return a department's changes of circumstances awaiting its acknowledgement, and of those the escalated ones
    (the rest, not escalated, is not published, so it counts as withheld)."""
    escalated = suppressed({"escalated": row["escalated"]}, unpublished=row["pending"] - row["escalated"])
    figures = {"pending": count_stat(row["pending"]), **escalated}
    return Named(name_zh=row["name_zh"], name_en=row["name_en"], code=row["department"], figures=figures)


def _percent(part: int, base: int) -> Stat:
    status = figure_status(base)
    return Stat("percent", round(100 * part / base) if status == "shown" else None, status=status)


def _read(*, first: dt.date) -> tuple[dict, dict, dict, dt.datetime | None]:
    """Read the summary in three grouped queries: the counts per (month, service) and per (month, district) since
    ``first``, and per service the applications still open when ``first`` began (the backlog carried in)."""
    names = ("submitted", "withdrawn", "returned", "decided", "on_time")
    recent = CityMonth.objects.filter(month__gte=first).order_by()
    by_service, refreshed = {}, None
    rows = recent.values_list("month", "service_id").annotate(*(Sum(name) for name in names), Max("refreshed_at"))
    for month, service_id, *counts, at in rows:
        by_service[month, service_id] = dict(zip(names, counts, strict=True))
        refreshed = max(refreshed, at) if refreshed else at
    by_district = {
        (month, district): n
        for month, district, n in recent.values_list("month", "district").annotate(Sum("submitted"))
    }
    before = (
        CityMonth.objects.filter(month__lt=first)
        .order_by()
        .values_list("service_id")
        .annotate(Sum("submitted"), Sum("withdrawn"), Sum("decided"), Max("refreshed_at"))
    )
    carried = {}
    for service_id, submitted, withdrawn, decided, at in before:
        carried[service_id] = submitted - withdrawn - decided
        refreshed = max(refreshed, at) if refreshed else at
    return by_service, by_district, carried, refreshed


def _month_named(month: dt.date, figures: dict[str, Stat]) -> Named:
    return Named(
        name_zh=f"{month.year}年{month.month}月", name_en=f"{month:%b %Y}", code=f"{month:%Y-%m}", figures=figures
    )


def _department_months(services: list[Service], *, months: list[dt.date], by_service: dict, carried: dict):
    """Return per department, per month of ``months``, the backlog at the month's end (submitted and neither
    withdrawn nor decided) and the share of the month's decisions made by the due date."""
    departments: dict[int, tuple] = {}
    for service in services:
        departments.setdefault(service.department_id, (service.department, []))[1].append(service)
    result = []
    for department, members in departments.values():
        backlog = sum(carried.get(service.pk, 0) for service in members)
        rows = []
        for month in months:
            counts = [by_service.get((month, service.pk), {}) for service in members]
            total = {name: sum(c.get(name, 0) for c in counts) for name in ("submitted", "withdrawn", "decided")}
            backlog += total["submitted"] - total["withdrawn"] - total["decided"]
            on_time = sum(c.get("on_time", 0) for c in counts)
            figures = {"backlog": count_stat(backlog), "on_time": _percent(on_time, total["decided"])}
            if month >= months[-SHOWN_MONTHS]:
                rows.append(_month_named(month, figures))
        named = Named(name_zh=department.name_zh, name_en=department.name_en, code=department.code)
        result.append(DepartmentMonths(department=named, months=rows))
    return result


def _named(label, *, code: str, figures: dict[str, Stat]) -> Named:
    """Return a row named by a translatable ``label`` (a district's, the city's) in both languages."""
    with translation.override("zh-hans"):
        name_zh = str(label)
    with translation.override("en"):
        name_en = str(label)
    return Named(name_zh=name_zh, name_en=name_en, code=code, figures=figures)


def _forecast_figures(series: dict[dt.date, int], *, month: dt.date, held_out: list[dt.date]) -> dict[str, Stat]:
    """Return the forecast of ``month`` (withheld when its months hold fewer than the minimum of applications) and
    its error on the held-out months (withheld likewise)."""
    base = sum(series.get(add_months(month, -k), 0) for k in LEVEL_MONTHS)
    status = figure_status(base)
    predicted = Stat("count", round(forecast(series, month=month)) if status == "shown" else None, status=status)
    accuracy = backtest(series, months=held_out)
    error_status = "none" if accuracy.mape is None else figure_status(accuracy.actual)
    error = Stat("percent", accuracy.mape if error_status == "shown" else None, status=error_status)
    return {"forecast": predicted, "error": error}


def _service_rows(services: list[Service], *, shown: list[dt.date], by_service: dict, forecast_month, held_out):
    """Return per service its applications over the shown months, the share asked for missing information, the
    forecast and its error; and the services asked for information most often, by share, most first."""
    totals = {
        service.pk: {
            name: sum(by_service.get((month, service.pk), {}).get(name, 0) for month in shown)
            for name in ("submitted", "returned")
        }
        for service in services
    }
    applications = suppressed({str(pk): total["submitted"] for pk, total in totals.items()})
    series: dict[int, dict[dt.date, int]] = {}  # service → month → applications submitted
    for (month, service_id), counts in by_service.items():
        series.setdefault(service_id, {})[month] = counts["submitted"]
    rows = []
    for service in services:
        figures = {
            "applications": applications[str(service.pk)],
            "returned": _percent(totals[service.pk]["returned"], totals[service.pk]["submitted"]),
            **_forecast_figures(series.get(service.pk, {}), month=forecast_month, held_out=held_out),
        }
        rows.append(Named(name_zh=service.title_zh, name_en=service.title_en, code=service.slug, figures=figures))
    returned = sorted((row for row in rows if row.returned.shown), key=lambda row: -row.returned.value)
    return rows, returned[:TOP_RETURNED]


def city_view(*, today: dt.date) -> CityView:
    """Return the city view's figures as of ``today`` from the summary table (four queries, whatever the number of
    applications): demand per service and per district over the last ``SHOWN_MONTHS`` months, each department's
    backlog and on-time rate per month, the services most often asked for missing information, and next month's
    forecast per service and for the city with its error on the last ``HELD_OUT`` complete months; and two grouped
    queries of lower apps: proactive uptake per service and unacknowledged changes of circumstances per department."""
    this_month = today.replace(day=1)
    first = add_months(this_month, -READ_MONTHS)
    months = [add_months(first, k) for k in range(READ_MONTHS + 1)]
    shown, forecast_month = months[-SHOWN_MONTHS:], add_months(this_month, 1)
    held_out = [add_months(this_month, -k) for k in range(HELD_OUT, 0, -1)]
    by_service, by_district, carried, refreshed = _read(first=first)
    services = list(Service.objects.select_related("department").order_by("department__code", "slug"))
    rows, returned = _service_rows(
        services, shown=shown, by_service=by_service, forecast_month=forecast_month, held_out=held_out
    )
    demand = suppressed({d.value: sum(by_district.get((m, d.value), 0) for m in shown) for d in District})
    districts = [_named(d.label, code=d.value, figures={"applications": demand[d.value]}) for d in District]
    city_series: dict[dt.date, int] = {}
    for (month, _pk), counts in by_service.items():
        city_series[month] = city_series.get(month, 0) + counts["submitted"]
    total = _named(
        gettext_lazy("Whole city"),
        code="city",
        figures=_forecast_figures(city_series, month=forecast_month, held_out=held_out),
    )
    return CityView(
        today=today,
        first_month=shown[0],
        forecast_month=forecast_month,
        refreshed_at=refreshed,
        services=rows,
        districts=districts,
        departments=_department_months(services, months=months, by_service=by_service, carried=carried),
        returned=returned,
        total=total,
        held_out=held_out,
        uptake=[_uptake(row) for row in uptake_by_service()],
        unacknowledged=[_unacknowledged(row) for row in unacknowledged_by_department()],
    )
