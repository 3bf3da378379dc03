"""Reads for the public statistics page: per department and service, counted in the database in a fixed number of
grouped queries (however many applications there are), with every figure that rests on fewer than
``MINIMUM_APPLICATIONS`` applications withheld, so that no resident can be singled out from it."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from services.applications.decisions import decision_counts, submission_counts
from services.catalogue.models import Service
from services.common.i18n import localized
from services.common.numbers import median_of_counts
from services.ratings.models import FollowUp, FollowUpStatus, Rating

MINIMUM_APPLICATIONS = 5  # a figure resting on fewer applications than this is not published
WINDOW_DAYS = 90  # processing times, on-time rates, ratings and follow-ups: the last 90 days, today included


@dataclass(frozen=True)
class Stat:
    """One published figure: its value, or why there is none ("few": withheld, "none": nothing to count)."""

    kind: str  # "days", "percent", "rating", "resolved" or "count" (applications)
    value: float | None = None
    total: int | None = None  # for "resolved": out of how many follow-ups
    status: str = "shown"  # "shown", "few" or "none"

    def __str__(self):
        if self.status == "none":
            return _("no data")
        if self.status == "few":
            return _("fewer than %(n)d applications") % {"n": MINIMUM_APPLICATIONS}
        if self.kind == "count":
            return f"{self.value:,}"
        if self.kind == "days":
            count = 1 if self.value == 1 else 2  # the plural form of "2.5" is the plural's
            return ngettext("%(n)s working day", "%(n)s working days", count) % {"n": f"{self.value:g}"}
        if self.kind == "percent":
            return f"{self.value:g} %"
        if self.kind == "rating":
            return _("%(n)s out of 5") % {"n": f"{self.value:.1f}"}
        return _("%(resolved)d of %(total)d") % {"resolved": self.value, "total": self.total}

    @property
    def shown(self) -> bool:
        return self.status == "shown"


@dataclass(frozen=True)
class StatisticsRow:
    """The figures of one service or one department (names in both languages: the result is cached for both)."""

    name_zh: str
    name_en: str
    url: str  # the service's page; empty for a department
    submitted_this_month: int
    median_days: Stat
    on_time: Stat
    average_rating: Stat
    follow_ups_resolved: Stat

    @property
    def name(self) -> str:
        return localized(self, "name")


@dataclass(frozen=True)
class DepartmentStatistics:
    row: StatisticsRow
    services: list[StatisticsRow]


@dataclass(frozen=True)
class PublicStatistics:
    month_start: dt.date
    window_start: dt.date
    today: dt.date
    departments: list[DepartmentStatistics] = field(default_factory=list)
    minimum: int = MINIMUM_APPLICATIONS

    @property
    def department_rows(self) -> list[StatisticsRow]:
        return [department.row for department in self.departments]


@dataclass
class _Tally:
    """Additive counts of one service (or, summed, one department), from which its figures are computed."""

    submitted: int = 0
    decided: int = 0
    on_time: int = 0
    days: dict[int, int] = field(default_factory=dict)  # working days taken → how many decisions took them
    rated: int = 0  # applications rated (the base of the average: one resident may rate several steps)
    ratings: int = 0
    score_total: int = 0  # sum of speed + clarity + attitude over the ratings
    followed_up: int = 0  # applications with a follow-up of a bad rating
    follow_ups: int = 0
    resolved: int = 0

    def add(self, other: "_Tally") -> None:
        names = ("submitted", "decided", "on_time", "rated", "ratings", "score_total", "followed_up", "follow_ups")
        for name in (*names, "resolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for days, n in other.days.items():
            self.days[days] = self.days.get(days, 0) + n


def figure_status(base: int, *, withheld: bool = False) -> str:
    """Return whether a figure resting on ``base`` applications is "shown", withheld ("few": fewer than
    ``MINIMUM_APPLICATIONS``, or ``withheld``) or has nothing to count ("none"): the one rule of withholding."""
    if not base:
        return "none"
    return "few" if withheld or base < MINIMUM_APPLICATIONS else "shown"


def _figures(tally: _Tally, *, withhold: frozenset[str] = frozenset()) -> dict[str, Stat]:
    """Return the published figures of a tally; a figure named in ``withhold`` is withheld whatever its base."""
    processing = figure_status(tally.decided, withheld="processing" in withhold)
    rating = figure_status(tally.rated, withheld="rating" in withhold)
    follow_up = figure_status(tally.followed_up, withheld="follow_up" in withhold)
    shown = {"processing": processing == "shown", "rating": rating == "shown", "follow_up": follow_up == "shown"}
    return {
        "median_days": Stat("days", median_of_counts(tally.days) if shown["processing"] else None, status=processing),
        "on_time": Stat(
            "percent", round(100 * tally.on_time / tally.decided) if shown["processing"] else None, status=processing
        ),
        "average_rating": Stat(
            "rating", round(tally.score_total / (3 * tally.ratings), 1) if shown["rating"] else None, status=rating
        ),
        "follow_ups_resolved": Stat(
            "resolved",
            tally.resolved if shown["follow_up"] else None,
            total=tally.follow_ups if shown["follow_up"] else None,
            status=follow_up,
        ),
    }


def count_stat(n: int, *, withheld: bool = False) -> Stat:
    """Return a count of applications as a figure: withheld when 1 to ``MINIMUM_APPLICATIONS`` - 1 (or
    ``withheld``), shown otherwise; a count of none is shown as 0."""
    status = figure_status(n, withheld=withheld)
    return (
        Stat("count", 0, status="shown")
        if status == "none"
        else Stat("count", n if status == "shown" else None, status=status)
    )


def _withheld_by_difference(tallies: list[_Tally]) -> frozenset[str]:
    """Return the department figures to withhold because, taken with its services' published figures, they would
    give away the figure of the withheld services together (a remainder resting on 1 to 4 applications)."""
    withhold = set()
    for name, base in (("processing", "decided"), ("rating", "rated"), ("follow_up", "followed_up")):
        remainder = sum(getattr(t, base) for t in tallies if 0 < getattr(t, base) < MINIMUM_APPLICATIONS)
        if 0 < remainder < MINIMUM_APPLICATIONS:
            withhold.add(name)
    return frozenset(withhold)


def _tallies(*, month_start: dt.datetime, since: dt.datetime) -> dict[int, _Tally]:
    """Count, per service, in four grouped queries, everything the figures are computed from."""
    tallies: dict[int, _Tally] = {}

    def tally(service_id: int) -> _Tally:
        return tallies.setdefault(service_id, _Tally())

    for service_id, n in submission_counts(since=timezone.localdate(month_start)).items():
        tally(service_id).submitted = n

    for decisions in decision_counts(since=timezone.localdate(since), period=None):
        counts = tally(decisions.service_id)
        counts.decided += decisions.n
        counts.on_time += decisions.n if decisions.on_time else 0
        counts.days[decisions.working_days] = counts.days.get(decisions.working_days, 0) + decisions.n

    ratings = (
        Rating.objects.filter(created_at__gte=since)
        .values_list("application__service_id")
        .annotate(
            applications=Count("application", distinct=True),
            n=Count("pk"),
            total=Sum(F("speed") + F("clarity") + F("attitude")),
        )
        .order_by()
    )
    for service_id, applications, n, total in ratings:
        counts = tally(service_id)
        counts.rated, counts.ratings, counts.score_total = applications, n, total

    follow_ups = (
        FollowUp.objects.filter(created_at__gte=since)
        .values_list("rating__application__service_id")
        .annotate(
            applications=Count("rating__application", distinct=True),
            n=Count("pk"),
            resolved=Count("pk", filter=Q(status=FollowUpStatus.RESOLVED)),
        )
        .order_by()
    )
    for service_id, applications, n, resolved in follow_ups:
        counts = tally(service_id)
        counts.followed_up, counts.follow_ups, counts.resolved = applications, n, resolved
    return tallies


def public_statistics(*, today: dt.date) -> PublicStatistics:
    """Return the public figures per department and per active service: applications submitted this month, and
    over the last ``WINDOW_DAYS`` days the median working days from submission to decision, the share decided by
    the due date, the average rating and the bad ratings' follow-ups resolved. At most eight queries, whatever
    the data."""
    month_start = today.replace(day=1)
    window_start = today - dt.timedelta(days=WINDOW_DAYS - 1)

    def aware(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    tallies = _tallies(month_start=aware(month_start), since=aware(window_start))
    by_department: dict[int, tuple] = {}
    named = ("slug", "title_zh", "title_en", "department__name_zh", "department__name_en")  # not the forms' JSON
    for service in Service.objects.active().select_related("department").only(*named):
        department = service.department
        by_department.setdefault(department.pk, (department, []))[1].append(service)

    departments = []
    for department, services in by_department.values():
        service_tallies = [(service, tallies.get(service.pk, _Tally())) for service in services]
        total = _Tally()
        for _service, counts in service_tallies:
            total.add(counts)
        rows = [
            StatisticsRow(
                name_zh=service.title_zh,
                name_en=service.title_en,
                url=service.get_absolute_url(),
                submitted_this_month=counts.submitted,
                **_figures(counts),
            )
            for service, counts in service_tallies
        ]
        withhold = _withheld_by_difference([counts for _service, counts in service_tallies])
        row = StatisticsRow(
            name_zh=department.name_zh,
            name_en=department.name_en,
            url="",
            submitted_this_month=total.submitted,
            **_figures(total, withhold=withhold),
        )
        departments.append(DepartmentStatistics(row=row, services=rows))
    return PublicStatistics(month_start=month_start, window_start=window_start, today=today, departments=departments)


def public_statistics_cached(*, today: dt.date) -> PublicStatistics:
    """Return ``public_statistics`` for today, computed at most once every ``STATISTICS_CACHE_SECONDS``."""
    return cache.get_or_set(
        f"public-statistics:{today.isoformat()}",
        lambda: public_statistics(today=today),
        settings.STATISTICS_CACHE_SECONDS,
    )
