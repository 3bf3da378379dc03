import datetime as dt
import time
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncHour
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError

from services.accounts.models import DepartmentMembership, User
from services.accounts.selectors import profile_for_user
from services.applications.models import OPEN_STATUSES, Application, Priority, Status
from services.catalogue.eligibility import Outcome
from services.catalogue.models import Department, DocumentType, Service
from services.catalogue.selectors import eligibility_check

from .calendar import WorkingCalendar
from .conditions import CONDITIONS, RoutingFacts, age_on
from .models import Bundle, BundleSubmission, CalendarDay, PeriodicRun, RoutingCondition, RoutingRule, Team

# --- Routing decision ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleOutcome:
    rule: RoutingRule
    failed: RoutingCondition | None  # the first condition that did not hold; None: the rule matched


@dataclass(frozen=True)
class RoutingDecision:
    department: Department
    team: Team | None
    priority: int
    rule: RoutingRule | None  # None: no rule matched, so the service's own department takes it
    trace: tuple[RuleOutcome, ...] = ()


def routing_facts(*, application: Application) -> RoutingFacts:
    """Return what the routing rules look at: service, category, the resident's district and age, the answers."""
    profile = profile_for_user(user=application.applicant)
    day = timezone.localdate(application.submitted_at) if application.submitted_at else timezone.localdate()
    return RoutingFacts(
        service=application.service.slug,
        category=application.service.category,
        district=profile.district,
        age=age_on(profile.date_of_birth, day),
        answers=application.answers,
    )


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


def _holds(condition: RoutingCondition, facts: RoutingFacts) -> bool:
    spec = CONDITIONS.get(condition.kind)
    try:
        value = spec.parse(condition.value) if spec else None
    except ValidationError:
        return False  # a condition that no longer parses never sends anything anywhere
    return spec is not None and spec.test(facts, condition.question, value)


def _read_active_rules() -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(is_active=True).select_related("team__department").prefetch_related("conditions")
    )


def routing_rules_kept() -> list[RoutingRule]:
    """Return the active rules with their conditions, as this process read them at most
    ROUTING_CONFIG_CACHE_SECONDS ago (what the routing workers use)."""
    return _kept_for_a_while("rules", _read_active_rules)


def routing_decide(*, service: Service, facts: RoutingFacts, rules: list[RoutingRule] | None = None) -> RoutingDecision:
    """Return where an application goes: the first active rule whose conditions all hold, else its service's
    department; with the rules tried, for the admin's dry run. ``rules``: the active rules if already read."""
    rules = _read_active_rules() if rules is None else rules
    trace = []
    for rule in rules:
        failed = next((c for c in rule.conditions.all() if not _holds(c, facts)), None)
        trace.append(RuleOutcome(rule=rule, failed=failed))
        if failed is None:
            return RoutingDecision(rule.team.department, rule.team, rule.priority, rule, tuple(trace))
    return RoutingDecision(service.department, None, Priority.NORMAL, None, tuple(trace))


def unrouted_application_ids(*, older_than: dt.timedelta, limit: int = 1000) -> list[int]:
    """Return ids of applications still 'submitted' after ``older_than``, oldest first (their message was lost);
    those flagged as failed wait for staff."""
    cutoff = timezone.now() - older_than
    stuck = Application.objects.filter(
        status=Status.SUBMITTED, submitted_at__lt=cutoff, routing_failed_at__isnull=True
    ).order_by("submitted_at")
    return list(stuck.values_list("pk", flat=True)[:limit])


def unchecked_application_ids(*, older_than: dt.timedelta, limit: int = 1000) -> list[tuple[int, str]]:
    """Return (id, department queue) of routed applications whose intake has not run after ``older_than``."""
    cutoff = timezone.now() - older_than
    stuck = Application.objects.filter(
        status=Status.ROUTED, routed_at__lt=cutoff, intake_checked_at__isnull=True
    ).order_by("routed_at")
    return [(pk, f"dept.{code}") for pk, code in stuck.values_list("pk", "department__code")[:limit]]


def team_least_loaded_caseworker(*, team: Team) -> User | None:
    """Return the team's active caseworker (of its department) with the fewest open assigned applications."""
    busy = Q(assigned_applications__status__in=(Status.IN_REVIEW, Status.AWAITING_INFORMATION))
    return (
        team.members.filter(is_active=True, is_staff=True, memberships__department_id=team.department_id)
        .annotate(load=Count("assigned_applications", filter=busy, distinct=True))
        .order_by("load", "pk")
        .first()
    )


# --- Legal deadlines ------------------------------------------------------------------------------


# This process's copies of the routing configuration: name -> (used until, value); see _kept_for_a_while.
_kept: dict[str, tuple[float, object]] = {}


def _kept_for_a_while(name: str, read):
    """Return ``read()``, kept in this process for ROUTING_CONFIG_CACHE_SECONDS (each routing would read the
    same rules and calendar again); an edit in this process drops the copies at once (RoutingConfig.ready)."""
    now = time.monotonic()
    kept = _kept.get(name)
    if kept and kept[0] > now:
        return kept[1]
    value = read()
    if settings.ROUTING_CONFIG_CACHE_SECONDS:
        _kept[name] = (now + settings.ROUTING_CONFIG_CACHE_SECONDS, value)
    return value


def routing_config_forget() -> None:
    """Drop this process's copies of the routing rules and calendar (one of them was saved or deleted)."""
    _kept.clear()


def _read_working_calendar() -> WorkingCalendar:
    days = CalendarDay.objects.values_list("date", "kind")
    return WorkingCalendar(
        days_off=frozenset(d for d, kind in days if kind == CalendarDay.Kind.DAY_OFF),
        working_weekend_days=frozenset(d for d, kind in days if kind == CalendarDay.Kind.WORKING_DAY),
    )


def working_calendar() -> WorkingCalendar:
    """Return the working calendar from the holiday days in the database."""
    return _kept_for_a_while("calendar", _read_working_calendar)


def application_due_date(*, application: Application, calendar: WorkingCalendar, paused_days: int = 0) -> dt.date:
    """Return the legal due date: the service's working days from the day of submission (not counted),
    pushed by the working days the clock has stood still and ``paused_days`` more."""
    return calendar.add_working_days(
        timezone.localdate(application.submitted_at),
        application.service.processing_days + application.paused_working_days + paused_days,
    )


def deadline_clock_changes(*, application: Application, to: Status) -> dict:
    """Return the fields a move changes on the legal clock: it stops while the resident is asked for
    information and, on the answer (or a withdrawal), the working days it stood still push the due date."""
    now = timezone.now()
    if to == Status.AWAITING_INFORMATION:
        return {"clock_paused_at": now}
    if application.clock_paused_at is None:
        return {}
    calendar = working_calendar()
    paused = calendar.working_days_between(timezone.localdate(application.clock_paused_at), timezone.localdate(now))
    return {
        "clock_paused_at": None,
        "paused_working_days": application.paused_working_days + paused,
        "due_date": application_due_date(application=application, calendar=calendar, paused_days=paused),
        "overdue_notified_at": None,  # a new due date deserves its own notice
    }


def overdue_application_ids(*, today: dt.date, limit: int) -> list[int]:
    """Return ids of the longest overdue applications whose supervisors have not been told yet, at most ``limit``."""
    unnotified = Application.objects.overdue(today).filter(overdue_notified_at__isnull=True)
    return list(unnotified.order_by("due_date", "pk").values_list("pk", flat=True)[:limit])


def supervisor_emails(*, department_id: int) -> list[str]:
    """Return the email addresses of the department's active supervisors."""
    return list(
        DepartmentMembership.objects.filter(
            department_id=department_id, role=DepartmentMembership.Role.SUPERVISOR, user__is_active=True
        ).values_list("user__email", flat=True)
    )


# --- Wording at display time -------------------------------------------------------------------------


def _document_names(codes: list[str]) -> str:
    names = dict(DocumentType.objects.filter(code__in=codes).values_list("code", "name_zh" if _zh() else "name_en"))
    return ", ".join(names.get(code, code) for code in codes)


def _eligibility_reasons(application: Application) -> str:
    result = eligibility_check(
        service=application.service,
        profile=profile_for_user(user=application.applicant),
        answers=application.answers,
        schema=application.schema,
    )
    return " ".join(rule.reason for rule in result.rules if rule.outcome != Outcome.ELIGIBLE)


# How each intake finding is put into words, in the reader's language: code → (finding, application) → message.
INTAKE_FINDINGS = {
    "documents_missing": lambda finding, application: (
        _("Required documents not provided: %(names)s") % {"names": _document_names(finding["types"])}
    ),
    "duplicate_open": lambda finding, application: (
        _("The applicant has another open application for this service: %(refs)s")
        % {"refs": ", ".join(finding["references"])}
    ),
    "not_eligible": lambda finding, application: (
        _("Not eligible under the service's rules at intake. Now: %(reasons)s")
        % {"reasons": _eligibility_reasons(application)}
    ),
    "eligibility_unknown": lambda finding, application: (
        _("Eligibility could not be confirmed at intake (facts missing). Now: %(reasons)s")
        % {"reasons": _eligibility_reasons(application)}
    ),
    "checks_failed": lambda finding, application: _(
        "The automatic checks could not run: check this application by hand."
    ),
}

# System notes in the staff timeline: code → words.
EVENT_NOTES = {
    "intake_checked": gettext_lazy("Intake checks done."),
    "routing_failed": gettext_lazy("Routing failed after its retries; staff can retry it."),
    "routing_retried": gettext_lazy("Routing retried."),
    "overdue": gettext_lazy("Past its due date: the department's supervisors were notified."),
    "assigned": gettext_lazy("Assigned to"),
}


def intake_findings_for_display(*, application: Application) -> list[str]:
    """Return the intake checks' findings in the reader's language (a single line when there is none)."""
    if application.intake_checked_at is None:
        return [_("Not checked yet.")]
    findings = [INTAKE_FINDINGS[f["code"]](f, application) for f in application.intake_flags]
    return findings or [_("No problems found.")]


def event_note_for_display(*, note: str) -> str:
    """Return a system note of the timeline in the reader's language."""
    return str(EVENT_NOTES.get(note, note))


# --- Life-event bundles ---------------------------------------------------------------------------------


def bundle_list_active() -> QuerySet[Bundle]:
    """Return the bundles open for applications."""
    return Bundle.objects.filter(is_active=True)


def bundle_get_active(*, slug: str) -> Bundle:
    """Return the open bundle with this slug or raise Http404."""
    return get_object_or_404(bundle_list_active(), slug=slug)


def bundle_services(*, bundle: Bundle) -> list[Service]:
    """Return the bundle's services in the bundle's order."""
    return [item.service for item in bundle.items.select_related("service__department")]


def bundle_form_schema(*, services: list[Service]) -> dict:
    """Return the one form of a bundle: the union of its services' questions, each name asked once
    (the first service's wording wins), required when any service requires it."""
    properties, required = {}, []
    for service in services:
        for name, prop in service.form_schema.get("properties", {}).items():
            properties.setdefault(name, prop)
        required += [name for name in service.form_schema.get("required", []) if name not in required]
    return {"type": "object", "properties": properties, "required": required}


class BundleStatus(models.TextChoices):
    ACTION_NEEDED = "action_needed", gettext_lazy("We need information from you")
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    COMPLETED = "completed", gettext_lazy("All parts decided")


@dataclass(frozen=True)
class BundleProgress:
    status: BundleStatus
    parts: list[Application]
    decided: int
    due_date: dt.date | None  # when the last part is due


def bundle_submission_get_for_resident(*, user, public_id) -> BundleSubmission:
    """Return the resident's own bundle submission or raise Http404."""
    return get_object_or_404(BundleSubmission.objects.select_related("bundle"), applicant=user, public_id=public_id)


def bundle_submission_progress(*, submission: BundleSubmission) -> BundleProgress:
    """Return one combined status for the resident over every department's part of the bundle."""
    parts = list(submission.applications.select_related("service__department", "department").order_by("pk"))
    statuses = {part.status for part in parts}
    if Status.AWAITING_INFORMATION in statuses:
        status = BundleStatus.ACTION_NEEDED
    elif statuses & set(OPEN_STATUSES):
        status = BundleStatus.IN_PROGRESS
    else:
        status = BundleStatus.COMPLETED
    due_dates = [part.due_date for part in parts if part.due_date and part.is_open]
    return BundleProgress(
        status=status,
        parts=parts,
        decided=sum(part.decided_at is not None for part in parts),
        due_date=max(due_dates, default=None),
    )


# --- The routing dashboard ---------------------------------------------------------------------------------


def backlog_by_department(*, departments: QuerySet[Department], today: dt.date) -> list[dict]:
    """Return each department's open applications by status, the overdue ones and the routing failures."""
    counts = {status: Count("applications", filter=Q(applications__status=status)) for status in OPEN_STATUSES[1:]}
    overdue = Application.objects.overdue(today).values("department").annotate(n=Count("pk"))
    overdue_by_department = {row["department"]: row["n"] for row in overdue}
    rows = departments.annotate(**{f"n_{status}": count for status, count in counts.items()}).order_by("code")
    return [
        {
            "department": department,
            "queue": department.celery_queue,
            "counts": [getattr(department, f"n_{status}") for status in counts],
            "overdue": overdue_by_department.get(department.pk, 0),
        }
        for department in rows
    ]


def routing_health(*, since: dt.datetime) -> dict:
    """Return the routing figures: waiting to be routed, failed, routed per hour since ``since``, the last runs."""
    per_hour = (
        Application.objects.filter(routed_at__gte=since)
        .annotate(hour=TruncHour("routed_at"))
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by("hour")
    )
    waiting = Application.objects.filter(status=Status.SUBMITTED)
    return {
        "unrouted": waiting.filter(routing_failed_at__isnull=True).count(),
        "failed": waiting.filter(routing_failed_at__isnull=False).count(),
        "routed_per_hour": [(row["hour"], row["n"]) for row in per_hour],
        "runs": list(PeriodicRun.objects.order_by("name")),
        "calendar_years": sorted({day.year for day in CalendarDay.objects.dates("date", "year")}),
    }


def broker_status(*, queues: list[str]) -> dict:
    """Return the messages waiting in each Celery queue, read from the broker, and for Redis its persistence
    and eviction settings (a broker must keep its messages: append-only file on, no eviction)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"in_process": True}
    try:
        with current_app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
            channel = connection.default_channel
            # A declare, not a passive one: kombu's Redis transport misses a prefixed queue in passive mode, and
            # declaring a durable queue that exists (or will) changes nothing.
            depths = {
                queue: channel.queue_declare(queue=queue, durable=True, auto_delete=False).message_count
                for queue in queues
            }
            client = getattr(channel, "client", None)  # Redis only
            redis = {}
            if client is not None:
                redis = {
                    "aof_enabled": bool(client.info("persistence").get("aof_enabled")),
                    "maxmemory_policy": client.info("memory").get("maxmemory_policy", ""),
                }
            return {"depths": depths, "redis": redis}
    except (OperationalError, OSError) as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
