import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.accounts.permissions import StaffScope, staff_scope_for
from services.applications.actions import application_create_draft, application_submit
from services.applications.deadlines import application_due_date
from services.applications.models import (
    AWAITING_PAYMENT,
    Application,
    ApplicationEvent,
    Channel,
    EventNote,
    Priority,
    Status,
)
from services.applications.notifications import notify_applications_overdue
from services.applications.workflow import announce_pending, application_transition, applications_transition_locked
from services.calendar.selectors import working_calendar
from services.catalogue.models import Department, Service
from services.common.errors import NotAllowed, ValidationFailed
from services.common.tasks import publish_again, publish_coalesced, publish_on_commit
from services.dynamic_forms.validation import validate_answers

from .intake import IntakeFinding, intake_findings
from .models import Bundle, BundleService, BundleSubmission, PeriodicRun, RoutingCondition, RoutingRule, Team
from .selectors import (
    bundle_form_schema,
    bundle_services,
    routing_decide,
    routing_facts,
    routing_rules_kept,
    team_least_loaded_caseworker,
)

logger = logging.getLogger(__name__)

ROUTE_ONE, ROUTE_SUBMITTED = "services.routing.tasks.route_application", "services.routing.tasks.route_submitted"


# What routing never reads of an application's service: its form, rules and texts (the form alone is most of the row,
# read and decoded again for every application of a batch).
SERVICE_UNREAD = [
    f"service__{name}"
    for name in ("form_schema", "eligibility_rules", "fee_rule", "summary_zh", "summary_en", "keywords_zh",
                 "keywords_en")
]  # fmt: skip


def _routable() -> QuerySet[Application]:
    return (
        Application.objects.filter(status=Status.SUBMITTED, routing_failed_at__isnull=True)
        .exclude(AWAITING_PAYMENT)  # the payment publishes its routing
        .select_related("service__department", "applicant__profile")
        .defer(*SERVICE_UNREAD)
    )


def application_route(*, application_id: int) -> Application | None:
    """Put a submitted application in the queue its routing rules choose, with its legal due date;
    do nothing if it was already routed (or is waiting for its payment).

    Publishes the department's intake work to its own Celery queue after commit.
    """
    with transaction.atomic():
        # Waits for a batch that holds the row: once it commits, the row is no longer submitted.
        locked = list(_routable().select_for_update(of=("self",)).filter(pk=application_id))
        routed = _route_locked(locked, isolate=False)
    return routed[0] if routed else None


def applications_route_batch(*, limit: int) -> list[Application]:
    """Route up to ``limit`` of the oldest submitted applications in one transaction, skipping those another worker
    holds; when there may be more, publish the next batch's message first, so that another worker takes it now.

    An application whose routing cannot be decided is left out and routed on its own (with its retries)."""
    with transaction.atomic():
        locked = list(
            _routable().select_for_update(skip_locked=True, of=("self",)).order_by("submitted_at", "pk")[:limit]
        )
        if len(locked) == limit:  # there may be more: the next batch's message
            wake = partial(publish_coalesced, ROUTE_SUBMITTED, seconds=settings.ROUTING_WAKE_SECONDS)
            # At once, so that another worker takes the next rows (it skips these, locked) while this one routes; run
            # in-process (eager), only after the commit, or the next batch would run inside this transaction.
            if settings.CELERY_TASK_ALWAYS_EAGER:
                transaction.on_commit(wake)
            else:
                wake()
        return _route_locked(locked, isolate=True)


def _route_locked(locked: list[Application], *, isolate: bool) -> list[Application]:
    """Route applications locked in the caller's transaction: one UPDATE, one INSERT of their events (and one of
    their notifications, one of their outbox events) and, after commit, one intake message per department queue."""
    rules, calendar, now = routing_rules_kept(), working_calendar(), timezone.now()
    decisions, changes = {}, {}
    for application in locked:
        try:
            decision = routing_decide(
                service=application.service, facts=routing_facts(application=application), rules=rules
            )
            due_date = application_due_date(application=application, calendar=calendar)
        except Exception:
            if not isolate:
                raise
            logger.exception("routing not decided: routed on its own", extra={"reference": application.reference})
            transaction.on_commit(partial(publish_again, ROUTE_ONE, application.pk, reference=application.reference))
            continue
        decisions[application.pk] = decision
        changes[application.pk] = {
            "department": decision.department, "team": decision.team, "routing_rule": decision.rule,
            "priority": decision.priority, "routed_at": now, "due_date": due_date,
        }  # fmt: skip
    routed = applications_transition_locked(
        applications=[application for application in locked if application.pk in decisions],
        to=Status.ROUTED,
        by=None,
        changes=changes,
    )
    by_queue = {}
    for application in routed:
        decision, queue = decisions[application.pk], application.department.celery_queue
        by_queue.setdefault(queue, []).append(application.pk)
        team, rule = decision.team.code if decision.team else "", decision.rule.name if decision.rule else ""
        logger.info("routed", extra={"reference": application.reference, "queue": queue, "team": team, "rule": rule,
                                     "due_date": application.due_date})  # fmt: skip
    for queue, ids in by_queue.items():
        publish_on_commit("services.routing.tasks.intake_applications", (ids,), queue=queue)
    return routed


def application_routing_failed(*, application_id: int) -> None:
    """Flag an application whose routing failed after every retry, for staff to retry it."""
    with transaction.atomic():
        flagged = Application.objects.filter(
            pk=application_id, status=Status.SUBMITTED, routing_failed_at__isnull=True
        ).update(routing_failed_at=timezone.now())
        if flagged:
            ApplicationEvent.objects.create(
                application_id=application_id, note=EventNote.ROUTING_FAILED, visible_to_resident=False
            )
            # The resident is told of the submission now, not after staff retry its routing (the row is locked).
            failed = Application.objects.select_related("service__department").filter(pk=application_id)
            announce_pending(applications=list(failed))
    if flagged:
        reference = Application.objects.filter(pk=application_id).values_list("reference", flat=True).first()
        logger.error("routing failed after its retries", extra={"reference": reference})


def application_routing_retry(*, application: Application, by, scope: StaffScope | None = None) -> None:
    """Clear an application's routing-failed flag and publish its routing again (administrators only); ``scope``:
    the staff scope of ``by``, when the caller has it already."""
    scope = staff_scope_for(user=by) if scope is None else scope
    if not scope.is_admin:
        raise NotAllowed(_("Only an administrator may retry routing."))
    with transaction.atomic():
        retried = Application.objects.filter(
            pk=application.pk, status=Status.SUBMITTED, routing_failed_at__isnull=False
        ).update(routing_failed_at=None)
        if not retried:
            raise NotAllowed(_("%(reference)s is not waiting for a routing retry.") % {"reference": application})
        ApplicationEvent.objects.create(
            application=application, actor=by, note=EventNote.ROUTING_RETRIED, visible_to_resident=False
        )
        publish_on_commit(ROUTE_ONE, (application.pk,), reference=application.reference)
    logger.info("routing retried", extra={"reference": application.reference, "by": by.email})


def application_intake_check(*, application_id: int) -> list[dict]:
    """Run the department's automatic checks on a routed application, record what they found and, if its
    team assigns automatically, give it to the least-loaded caseworker; do nothing the second time."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("team", "service", "applicant", "form_version")
            .filter(pk=application_id)
            .first()
        )
        if application is None:
            return []
        if application.status != Status.ROUTED or application.intake_checked_at:
            return application.intake_flags
        flags = intake_findings(application=application)
        _record_intake(application, flags)
        if application.team and application.team.auto_assign:
            caseworker = team_least_loaded_caseworker(team=application.team)
            if caseworker:
                application_transition(
                    application=application, to=Status.IN_REVIEW, by=None, changes={"assignee": caseworker}
                )
    logger.info("intake checked", extra={"reference": application.reference, "findings": [f["code"] for f in flags]})
    return flags


def application_intake_refresh(*, application_id: int) -> list[dict]:
    """Check an open, already checked application again after documents arrived, so that its intake note says
    what is still missing (nothing else changes: the status and the assignee stay); a no-op if nothing changed."""
    with transaction.atomic():
        application = (
            Application.objects.select_for_update(of=("self",))
            .select_related("service", "applicant", "form_version")
            .filter(pk=application_id)
            .first()
        )
        if application is None or application.intake_checked_at is None or not application.is_open:
            return []
        flags = intake_findings(application=application)
        if flags != application.intake_flags:
            _record_intake(application, flags)
    return flags


def application_intake_failed(*, application_id: int) -> None:
    """Record that the automatic checks could not run, so a caseworker checks the application by hand."""
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application_id).first()
        if application is None or application.intake_checked_at:
            return
        _record_intake(application, [{"code": IntakeFinding.CHECKS_FAILED}])
    logger.error("intake checks failed after their retries", extra={"reference": application.reference})


def _record_intake(application: Application, flags: list[dict]) -> None:
    application.intake_flags, application.intake_checked_at = flags, timezone.now()
    application.save(update_fields=["intake_flags", "intake_checked_at", "updated_at"])
    ApplicationEvent.objects.create(application=application, note=EventNote.INTAKE_CHECKED, visible_to_resident=False)


def applications_mark_overdue(*, application_ids: list[int]) -> list[Application]:
    """Mark these applications overdue once each: raise their priority, note it in their timeline and tell each
    department's supervisors, in one message, which of them are overdue (sent after commit)."""
    with transaction.atomic():
        # Rows another run holds are skipped and those it already marked filtered out: each is notified once.
        marked = list(
            Application.objects.select_for_update(skip_locked=True)
            .filter(pk__in=application_ids, overdue_notified_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Application.objects.filter(pk__in=marked).update(
            overdue_notified_at=timezone.now(), priority=Least(F("priority") + 1, Value(Priority.URGENT))
        )
        ApplicationEvent.objects.bulk_create(
            ApplicationEvent(application_id=pk, note=EventNote.OVERDUE, visible_to_resident=False) for pk in marked
        )
        overdue = list(Application.objects.filter(pk__in=marked).select_related("service", "department"))
        by_department = {}
        for application in overdue:
            by_department.setdefault(application.department, []).append(application)
            logger.warning("overdue", extra={"reference": application.reference, "due_date": application.due_date})
        for department, applications in by_department.items():
            notify_applications_overdue(department=department, applications=applications)
    return overdue


def periodic_run_record(*, name: str, result: dict) -> None:
    """Record that a periodic job ran now and what it did."""
    PeriodicRun.objects.update_or_create(name=name, defaults={"finished_at": timezone.now(), "result": result})


@transaction.atomic
def bundle_submit(*, bundle: Bundle, applicant, answers: dict, channel=Channel.WEB) -> BundleSubmission:
    """Submit a life-event bundle: one form's answers become one application per service, each routed to
    its department's queue; nothing is saved unless every part is valid."""
    services = bundle_services(bundle=bundle)
    errors = validate_answers(schema=bundle_form_schema(services=services), answers=answers)
    if errors:
        raise ValidationFailed(_("Some answers need your attention."), errors=errors)
    submission = BundleSubmission.objects.create(bundle=bundle, applicant=applicant)
    for service in services:
        part = {name: value for name, value in answers.items() if name in service.form_schema.get("properties", {})}
        application = application_create_draft(applicant=applicant, service=service, answers=part, channel=channel)
        application.bundle_submission = submission
        application.save(update_fields=["bundle_submission"])
        application_submit(application=application, by=applicant)
    return submission


@transaction.atomic
def routing_demo_load(*, teams: list, rules: list, bundles: list) -> None:
    """Create or update team queues, routing rules (by name) and bundles (by slug); loading twice changes nothing."""
    departments = {department.code: department for department in Department.objects.all()}
    by_code = {}
    for department, code, (name_zh, name_en), auto_assign, emails in teams:
        team, _created = Team.objects.update_or_create(
            department=departments[department],
            code=code,
            defaults={"name_zh": name_zh, "name_en": name_en, "auto_assign": auto_assign},
        )
        team.members.set(User.objects.filter(email__in=emails))
        by_code[department, code] = team
    for position, name, team, priority, conditions in rules:
        rule, _created = RoutingRule.objects.update_or_create(
            name=name, defaults={"position": position, "team": by_code[team], "priority": priority, "is_active": True}
        )
        rule.conditions.all().delete()
        for kind, *question, value in conditions:
            condition = RoutingCondition(rule=rule, kind=kind, question=question[0] if question else "", value=value)
            condition.full_clean()
            condition.save()
    for slug, (title_zh, title_en), (summary_zh, summary_en), services in bundles:
        bundle, _created = Bundle.objects.update_or_create(
            slug=slug,
            defaults={"title_zh": title_zh, "title_en": title_en, "summary_zh": summary_zh, "summary_en": summary_en},
        )
        bundle.items.all().delete()
        for position, service in enumerate(services):
            BundleService.objects.create(bundle=bundle, service=Service.objects.get(slug=service), position=position)
