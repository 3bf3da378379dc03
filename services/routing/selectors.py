import datetime as dt
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncHour
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy
from kombu.exceptions import OperationalError

from services.accounts.models import User
from services.accounts.selectors import profile_for_user
from services.applications.backlog import open_counted
from services.applications.models import (
    AWAITING_PAYMENT,
    OPEN_STATUSES,
    Application,
    OpenCount,
    Priority,
    Status,
    overdue_q,
)
from services.calendar.selectors import calendar_years
from services.catalogue.models import Department, Service, department_queue
from services.common.kept import kept_for_a_while

from .conditions import CONDITIONS, RoutingFacts, age_on
from .models import Bundle, BundleSubmission, PeriodicRun, RoutingCondition, RoutingRule, Team

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
    ROUTING_CONFIG_CACHE_SECONDS ago (what the routing workers use: services.common.kept)."""
    return kept_for_a_while("rules", _read_active_rules)


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
    stuck = (
        Application.objects.filter(status=Status.SUBMITTED, submitted_at__lt=cutoff, routing_failed_at__isnull=True)
        .exclude(AWAITING_PAYMENT)  # the payment publishes their routing
        .order_by("submitted_at")
    )
    return list(stuck.values_list("pk", flat=True)[:limit])


def unchecked_application_ids(*, older_than: dt.timedelta, limit: int = 1000) -> list[tuple[int, str]]:
    """Return (id, department queue) of routed applications whose intake has not run after ``older_than``."""
    cutoff = timezone.now() - older_than
    stuck = Application.objects.filter(
        status=Status.ROUTED, routed_at__lt=cutoff, intake_checked_at__isnull=True
    ).order_by("routed_at")
    return [(pk, department_queue(code)) for pk, code in stuck.values_list("pk", "department__code")[:limit]]


def team_least_loaded_caseworker(*, team: Team) -> User | None:
    """Return the team's active caseworker (of its department) with the fewest open assigned applications."""
    busy = Q(assigned_applications__status__in=(Status.IN_REVIEW, Status.AWAITING_INFORMATION))
    return (
        team.members.filter(is_active=True, is_staff=True, memberships__department_id=team.department_id)
        .annotate(load=Count("assigned_applications", filter=busy, distinct=True))
        .order_by("load", "pk")
        .first()
    )


# --- Overdue ---------------------------------------------------------------------------------------


def overdue_application_ids(*, today: dt.date, limit: int) -> list[int]:
    """Return ids of the longest overdue applications whose supervisors have not been told yet, at most ``limit``."""
    unnotified = Application.objects.overdue(today).filter(overdue_notified_at__isnull=True)
    return list(unnotified.order_by("due_date", "pk").values_list("pk", flat=True)[:limit])


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
    """Return each department's open applications by status, and the overdue ones, in one grouped query over their
    kept counts (services.applications.backlog), not the applications."""
    departments = list(departments.order_by("code"))
    statuses = OPEN_STATUSES[1:]  # submitted ones are in no department yet
    counts = {f"n_{status}": open_counted(Q(status=status)) for status in statuses}
    rows = (
        OpenCount.objects.filter(department_id__in=[department.pk for department in departments])
        .values("department_id")
        .annotate(**counts, overdue=open_counted(overdue_q(today)))
        .order_by()
    )
    by_department = {row["department_id"]: row for row in rows}
    return [
        {
            "department": department,
            "queue": department.celery_queue,
            "counts": [by_department.get(department.pk, {}).get(f"n_{status}", 0) for status in statuses],
            "overdue": by_department.get(department.pk, {}).get("overdue", 0),
        }
        for department in departments
    ]


def routing_health(*, since: dt.datetime) -> dict:
    """Return the routing figures: waiting to be routed, failed, routed per hour since ``since``, the last runs."""
    per_hour = (
        Application.objects.filter(routed_at__gte=since)
        .annotate(hour=TruncHour("routed_at"))
        .values("hour")
        .annotate(n=Count("*"))  # not the id: the routed_at index alone answers
        .order_by("hour")
    )
    waiting = Application.objects.filter(status=Status.SUBMITTED)
    return {
        "unrouted": waiting.filter(routing_failed_at__isnull=True).exclude(AWAITING_PAYMENT).count(),
        "failed": waiting.filter(routing_failed_at__isnull=False).count(),
        "routed_per_hour": [(row["hour"], row["n"]) for row in per_hour],
        "runs": list(PeriodicRun.objects.order_by("name")),
        "calendar_years": calendar_years(),
    }


def broker_status(*, queues: list[str]) -> dict:
    """Return the messages waiting in each Celery queue, read from the broker, and for Redis its persistence
    and eviction settings (a broker must keep its messages: append-only file on, no eviction)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"in_process": True}
    # A connection of the app's pool (the one tasks are published with; the broker's read and write URLs are one),
    # kept open between requests: connecting afresh each time was most of the dashboard's time in this read.
    with current_app.pool.acquire(block=True, timeout=2) as connection:
        try:
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
        except (OperationalError, OSError, *connection.connection_errors, *connection.channel_errors) as exc:
            connection.collect()  # a broken connection is not kept: the next read connects afresh
            return {"error": f"{type(exc).__name__}: {exc}"}


# --- Operators' metrics (portal/metrics.py) -------------------------------------------------------------------


def outbox_lag(*, now: dt.datetime) -> dict[str, float]:
    """Return how long, in seconds, the oldest work not yet done has waited: routing (submitted, not failed) and
    intake (routed, not checked); 0 when nothing waits. A growing figure is a lost message or a stopped worker."""
    waiting = {
        "routing": Application.objects.filter(status=Status.SUBMITTED, routing_failed_at__isnull=True).aggregate(
            oldest=Min("submitted_at")
        ),
        "intake": Application.objects.filter(status=Status.ROUTED, intake_checked_at__isnull=True).aggregate(
            oldest=Min("routed_at")
        ),
    }
    return {stage: (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0 for stage, row in waiting.items()}


def overdue_by_department(*, today: dt.date) -> dict[str, int]:
    """Return the number of overdue applications of each department (every department named, 0 included)."""
    counts = dict.fromkeys(Department.objects.values_list("code", flat=True), 0)
    rows = Application.objects.overdue(today).values("department__code").annotate(n=Count("pk"))
    counts.update({row["department__code"]: row["n"] for row in rows})
    return counts
