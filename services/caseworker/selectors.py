"""Reads of the caseworker workspace: exports, the resident's view of the audit log, the supervisors' figures."""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import DepartmentMembership, User
from services.accounts.selectors import profile_for_user
from services.applications.models import CLOCK_RUNNING, DECIDED, Application, Status
from services.catalogue.models import Department, Service
from services.routing.models import Team

from .models import AuditAction, AuditEntry


def application_export_table(
    *, applications: list[Application], personal_department_ids: set[int] | None
) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of an export. The applicant's personal facts are columns only for someone who
    may take them out of the workspace (``personal_department_ids``: None for every department), and are left
    empty in rows of departments they do not supervise."""
    header = [
        _("Reference"), _("Service"), _("Department"), _("Team queue"), _("Status"), _("Priority"),
        _("Assigned caseworker"), _("Submitted"), _("Due date"), _("Decided"), _("Reason for the decision"),
    ]  # fmt: skip
    personal = personal_department_ids is None or bool(personal_department_ids)
    if personal:
        header += [_("Legal name"), _("Resident ID number"), _("Date of birth"), _("Mobile phone"), _("Email")]

    def when(value) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for application in applications:
        row = [
            application.reference or "",
            application.service.title,
            str(application.department or ""),
            str(application.team.name if application.team else ""),
            application.get_status_display(),
            application.get_priority_display(),
            application.assignee.email if application.assignee else "",
            when(application.submitted_at),
            application.due_date.isoformat() if application.due_date else "",
            when(application.decided_at),
            application.decision_reason,
        ]
        if personal:
            profile = profile_for_user(user=application.applicant)
            shown = personal_department_ids is None or application.department_id in personal_department_ids
            facts = [profile.legal_name, profile.id_number or "", str(profile.date_of_birth or ""), profile.phone,
                     application.applicant.email]  # fmt: skip
            row += facts if shown else [""] * len(facts)
        rows.append(row)
    return header, rows


def audit_list_for_resident(*, application: Application) -> QuerySet[AuditEntry]:
    """Return who in the administration looked at or acted on the application, newest first: department, role,
    what and when, never the person (the resident's data tracker)."""
    return (
        AuditEntry.objects.filter(application=application).exclude(action=AuditAction.LIST).select_related("department")
    )


# --- The supervisors' dashboard ------------------------------------------------------------------------------


def backlog_by_team(*, department_ids: list[int], today: dt.date) -> list[dict]:
    """Return each team queue's open applications (and, per department, those in no team): by status, unassigned
    and overdue."""
    counts = (
        Application.objects.open()
        .filter(department_id__in=department_ids)
        .values("department_id", "team_id")
        .annotate(
            routed=Count("pk", filter=Q(status=Status.ROUTED)),
            in_review=Count("pk", filter=Q(status=Status.IN_REVIEW)),
            awaiting=Count("pk", filter=Q(status=Status.AWAITING_INFORMATION)),
            unassigned=Count("pk", filter=Q(assignee__isnull=True)),
            overdue=Count("pk", filter=Q(status__in=CLOCK_RUNNING, due_date__lt=today)),
        )
    )
    by_queue = {(row["department_id"], row["team_id"]): row for row in counts}
    queues = [(team.department, team) for team in Team.objects.filter(department_id__in=department_ids)]
    queues += [(department, None) for department in Department.objects.filter(pk__in=department_ids)]
    empty = {"routed": 0, "in_review": 0, "awaiting": 0, "unassigned": 0, "overdue": 0}
    return [
        {"department": department, "team": team, **empty, **by_queue.get((department.pk, team and team.pk), {})}
        for department, team in sorted(queues, key=lambda q: (q[0].code, q[1] is None, q[1] and q[1].code))
    ]


def caseworker_workload(*, department_ids: list[int], today: dt.date) -> QuerySet[User]:
    """Return the departments' active staff with their open applications in review, awaiting information, and
    overdue, the busiest first."""
    theirs = Q(assigned_applications__department_id__in=department_ids)
    staff = DepartmentMembership.objects.filter(department_id__in=department_ids).values("user_id")
    return (
        User.objects.filter(pk__in=staff, is_active=True)
        .annotate(
            in_review=Count("assigned_applications", filter=theirs & Q(assigned_applications__status=Status.IN_REVIEW)),
            awaiting=Count(
                "assigned_applications",
                filter=theirs & Q(assigned_applications__status=Status.AWAITING_INFORMATION),
            ),
            overdue=Count(
                "assigned_applications",
                filter=theirs
                & Q(assigned_applications__status__in=CLOCK_RUNNING, assigned_applications__due_date__lt=today),
            ),
        )
        .order_by("-in_review", "-awaiting", "email")
    )


@dataclass(frozen=True)
class WeekFigures:
    week: dt.date  # its Monday
    decided: int
    on_time: int
    median_days: float | None  # from submission to decision, in days

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.decided) if self.decided else None


def service_performance(*, department_ids: list[int], today: dt.date, weeks: int = 8) -> list[dict]:
    """Return, per service with decisions in the last ``weeks`` weeks (this one included), each week's decisions,
    how many were made by the due date, and the median time from submission to decision."""
    first_monday = today - dt.timedelta(days=today.weekday(), weeks=weeks - 1)
    since = timezone.make_aware(dt.datetime.combine(first_monday, dt.time.min))
    decided = Application.objects.filter(
        department_id__in=department_ids, status__in=DECIDED, decided_at__gte=since, submitted_at__isnull=False
    ).values_list("service_id", "submitted_at", "decided_at", "due_date")
    grouped: dict[int, dict[dt.date, list]] = {}
    for service_id, submitted_at, decided_at, due_date in decided.iterator(chunk_size=5000):
        day = timezone.localdate(decided_at)
        week = day - dt.timedelta(days=day.weekday())
        days = (decided_at - submitted_at).total_seconds() / 86400
        grouped.setdefault(service_id, {}).setdefault(week, []).append((days, due_date is None or day <= due_date))
    services = Service.objects.in_bulk(grouped)
    mondays = [first_monday + dt.timedelta(weeks=n) for n in range(weeks)]
    performance = []
    for service_id, by_week in grouped.items():
        figures = []
        for monday in mondays:
            rows = by_week.get(monday, [])
            figures.append(
                WeekFigures(
                    week=monday,
                    decided=len(rows),
                    on_time=sum(on_time for _days, on_time in rows),
                    median_days=round(statistics.median(days for days, _ in rows), 1) if rows else None,
                )
            )
        performance.append({"service": services[service_id], "weeks": figures})
    return sorted(performance, key=lambda row: row["service"].title)
