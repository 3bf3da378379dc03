"""Writes of the statistics app: the city view's summary table, rebuilt from the applications."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Count, DateField, Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from services.applications.decisions import decided_on_time
from services.applications.models import DECIDED, Application, InformationRequest, Status

from .models import CityMonth

CITY_SUPERVISORS = "City supervisors"  # the group of the role above departments (made by migration 0002 too)
COUNTS = ("submitted", "withdrawn", "returned", "decided", "on_time")


def _grouped(queryset, *, at: str):
    """Group ``queryset`` by the month of its ``at`` timestamp, its service and its applicant's district."""
    return (
        queryset.annotate(
            month=TruncMonth(at, output_field=DateField()),
            district=Coalesce("applicant__profile__district", Value("")),
        )
        .values_list("month", "service_id", "district")
        .order_by()
    )


@transaction.atomic
def city_figures_refresh() -> int:
    """Rebuild the city view's summary (``CityMonth``) from the applications in two grouped queries, replacing the
    previous rows in one transaction (readers see the old figures or the new, never a mix); return the rows."""
    rows: dict[tuple, dict[str, int]] = {}
    submitted = _grouped(Application.objects.filter(submitted_at__isnull=False), at="submitted_at").annotate(
        submitted=Count("pk"),
        withdrawn=Count("pk", filter=Q(status=Status.WITHDRAWN)),
        returned=Count("pk", filter=Exists(InformationRequest.objects.filter(application=OuterRef("pk")))),
    )
    for month, service_id, district, *counts in submitted:
        rows.setdefault((month, service_id, district), dict.fromkeys(COUNTS, 0)).update(
            zip(("submitted", "withdrawn", "returned"), counts, strict=True)
        )
    decided = _grouped(
        Application.objects.filter(status__in=DECIDED, decided_at__isnull=False, submitted_at__isnull=False)
        .annotate(decided_on=TruncDate("decided_at"))
        .annotate(punctual=decided_on_time()),
        at="decided_at",
    ).annotate(decided=Count("pk"), on_time=Count("pk", filter=Q(punctual=True)))
    for month, service_id, district, n, on_time in decided:
        rows.setdefault((month, service_id, district), dict.fromkeys(COUNTS, 0)).update(decided=n, on_time=on_time)
    now = timezone.now()
    CityMonth.objects.all().delete()
    CityMonth.objects.bulk_create(
        [
            CityMonth(month=month, service_id=service_id, district=district, refreshed_at=now, **counts)
            for (month, service_id, district), counts in rows.items()
        ],
        batch_size=2000,
    )
    return len(rows)


def city_supervisor_grant(*, user) -> None:
    """Make ``user`` a city supervisor: a member of the group holding the city view's permission (the group made
    again if it is gone)."""
    group, _created = Group.objects.get_or_create(name=CITY_SUPERVISORS)
    group.permissions.add(Permission.objects.get(content_type__app_label="statistics", codename="view_city"))
    user.groups.add(group)
