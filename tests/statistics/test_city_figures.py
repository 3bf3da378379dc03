"""The city view's figures, read from the summary table a task rebuilds, equal those counted here from the raw
application rows (property-based over random applications), and figures on fewer than 5 applications are withheld."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.applications.models import Application, InformationRequest, Status
from services.catalogue.actions import form_version_publish
from services.statistics.actions import city_figures_refresh
from services.statistics.city import SHOWN_MONTHS, city_view, suppressed
from services.statistics.forecast import add_months, backtest, forecast
from services.statistics.models import CityMonth
from services.statistics.selectors import MINIMUM_APPLICATIONS
from services.statistics.tasks import refresh_city_figures
from tests.factories import DepartmentFactory, ResidentProfileFactory, ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db

DISTRICTS = ("pudong", "xuhui", "chongming")
OUTCOMES = ("open", "on_time", "late", "withdrawn")
FIELDS = ("month", "service_id", "district", "submitted", "withdrawn", "returned", "decided", "on_time")
TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)

application = st.tuples(
    st.integers(0, 2),  # service
    st.integers(0, 2),  # applicant (each lives in one of DISTRICTS)
    st.integers(0, 19),  # submitted so many months ago
    st.integers(0, 27),  # on that day of the month
    st.sampled_from(OUTCOMES),
    st.integers(0, 3),  # decided so many months after submission (not after today)
    st.booleans(),  # asked for information
)


@pytest.fixture
def world():
    health, education = DepartmentFactory(code="health"), DepartmentFactory(code="education")
    services = [
        ServiceFactory(department=health),
        ServiceFactory(department=health),
        ServiceFactory(department=education),
    ]
    versions = [form_version_publish(service=service) for service in services]
    residents = [ResidentProfileFactory(district=district).user for district in DISTRICTS]
    return {"services": services, "versions": versions, "residents": residents, "staff": StaffFactory()}


def _make(world, rows) -> list[Application]:
    made = []
    for number, (service, resident, months_ago, day, outcome, delay, asked) in enumerate(rows):
        month = add_months(THIS_MONTH, -months_ago)
        submitted_on = min(month + dt.timedelta(days=day), TODAY)
        submitted_at = timezone.make_aware(dt.datetime.combine(submitted_on, dt.time(10)))
        decided_at = None
        if outcome in ("on_time", "late"):
            decided_at = min(
                timezone.make_aware(dt.datetime.combine(add_months(month, delay), dt.time(9))), timezone.now()
            )
            decided_at = max(decided_at, submitted_at)
        decided_on = timezone.localdate(decided_at) if decided_at else None
        status = {"open": Status.IN_REVIEW, "withdrawn": Status.WITHDRAWN}.get(outcome, Status.APPROVED)
        made.append(
            Application.objects.create(
                applicant=world["residents"][resident],
                service=world["services"][service],
                form_version=world["versions"][service],
                reference=f"TST-2026-{number:06d}",
                status=status,
                submitted_at=submitted_at,
                decided_at=decided_at,
                due_date=decided_on - dt.timedelta(days=1) if outcome == "late" else decided_on,
            )  # fmt: skip
        )
        if asked:
            InformationRequest.objects.create(application=made[-1], asked_by=world["staff"], message="?")
    return made


def _month(at: dt.datetime) -> dt.date:
    return timezone.localdate(at).replace(day=1)


def _stat(stat):
    return stat.value if stat.shown else None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(application, max_size=45))
def test_the_figures_equal_those_counted_from_the_rows(world, rows):
    with transaction.atomic():
        made = _make(world, rows)
        city_figures_refresh()
        view = city_view(today=TODAY)
        shown = {add_months(THIS_MONTH, -k) for k in range(SHOWN_MONTHS)}
        in_window = [a for a in made if _month(a.submitted_at) in shown]

        # demand per district and per service over the months shown, small counts withheld (and no more than that)
        for district in view.districts:
            n = sum(1 for a in in_window if a.applicant.profile.district == district.code)
            assert district.applications.value == (n if district.applications.shown else None)
            if 0 < n < MINIMUM_APPLICATIONS:
                assert district.applications.status == "few"
        by_code = {row.code: row for row in view.services}
        for service in world["services"]:
            row, mine = by_code[service.slug], [a for a in in_window if a.service == service]
            assert _stat(row.applications) in (len(mine), None)
            if 0 < len(mine) < MINIMUM_APPLICATIONS:
                assert row.applications.status == "few"
            asked = sum(1 for a in mine if a.information_requests.exists())
            expected = round(100 * asked / len(mine)) if len(mine) >= MINIMUM_APPLICATIONS else None
            assert _stat(row.returned) == expected
            series = {}
            for a in made:
                if a.service == service:
                    series[_month(a.submitted_at)] = series.get(_month(a.submitted_at), 0) + 1
            predicted = forecast(series, month=view.forecast_month)
            assert _stat(row.forecast) in (round(predicted), None)
            accuracy = backtest(series, months=view.held_out)
            assert _stat(row.error) == (accuracy.mape if accuracy.actual >= MINIMUM_APPLICATIONS else None)

        # backlog at each month's end and on-time rate of each month's decisions, per department
        for section in view.departments:
            members = [a for a in made if a.service.department.code == section.department.code]
            for month in section.months:
                first = dt.date.fromisoformat(f"{month.code}-01")
                end = timezone.make_aware(dt.datetime.combine(add_months(first, 1), dt.time.min))
                still_open = [a for a in members if not a.decided_at or a.decided_at >= end]
                backlog = sum(1 for a in still_open if a.submitted_at < end and a.status != Status.WITHDRAWN)
                assert _stat(month.backlog) == (backlog if not 0 < backlog < MINIMUM_APPLICATIONS else None)
                decided = [a for a in members if a.decided_at and _month(a.decided_at) == first]
                on_time = sum(1 for a in decided if timezone.localdate(a.decided_at) <= a.due_date)
                expected = round(100 * on_time / len(decided)) if len(decided) >= MINIMUM_APPLICATIONS else None
                assert _stat(month.on_time) == expected
        transaction.set_rollback(True)


def test_small_counts_are_withheld_and_cannot_be_worked_out():
    """A count of 1 to 4 is withheld; when the withheld ones add up to under 5, the next smallest is withheld too,
    so a total cannot give them away; a count of none is shown as 0."""
    figures = suppressed({"a": 3, "b": 40, "c": 7, "d": 0})

    assert [figures[key].status for key in "abcd"] == ["few", "shown", "few", "shown"]
    assert figures["b"].value == 40 and figures["d"].value == 0 and figures["a"].value is None
    assert str(figures["a"]).startswith("fewer than 5") or "5" in str(figures["a"])

    figures = suppressed({"a": 3, "b": 2, "c": 9})
    assert [figures[key].status for key in "abc"] == ["few", "few", "shown"]  # 3 + 2 = 5: enough


def test_the_forecast_follows_last_years_season():
    """Twelve months ago the month was twice its level: so is the forecast; flat history forecasts the level."""
    month = dt.date(2026, 12, 1)
    series = {add_months(month, -k): 10 for k in range(1, 17)}
    series[add_months(month, -12)] = 20

    assert forecast(series, month=month) == 20
    assert forecast({add_months(month, -k): 10 for k in (2, 3, 4)}, month=month) == 10
    assert backtest(series, months=[add_months(month, -12)]).mape == 50.0  # the level said 10, 20 came


def test_beat_rebuilds_the_summary_and_a_second_run_replaces_it(settings, world):
    """The periodic job is on the sweeps queue; run twice, it leaves one row per month, service and district."""
    entry = settings.CELERY_BEAT_SCHEDULE["city-figures"]
    assert entry["task"] == "services.statistics.tasks.refresh_city_figures" and entry["options"]["queue"] == "sweeps"
    _make(world, [(0, 0, 1, 3, "on_time", 0, True), (0, 0, 1, 5, "open", 0, False), (2, 2, 0, 0, "late", 0, False)])

    first = refresh_city_figures.apply().get()
    rows = list(CityMonth.objects.order_by("month", "service_id", "district").values_list(*FIELDS))
    second = refresh_city_figures.apply().get()

    assert first == second == CityMonth.objects.count() == 2
    assert list(CityMonth.objects.order_by("month", "service_id", "district").values_list(*FIELDS)) == rows
    pudong = CityMonth.objects.get(district="pudong")
    assert (pudong.submitted, pudong.returned, pudong.decided, pudong.on_time) == (2, 1, 1, 1)
