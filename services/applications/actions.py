"""Writes on applications; the web, the API, the admin and tasks all call these."""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from services.accounts.selectors import profile_for_user
from services.catalogue.actions import form_version_publish
from services.catalogue.models import Service
from services.catalogue.selectors import eligibility_check
from services.common.errors import InvalidTransition, NotAllowed, NotEligible, ValidationFailed
from services.common.tasks import publish_on_commit
from services.dynamic_forms.fields import answers_merge
from services.dynamic_forms.validation import validate_answers

from .models import Application, Channel, Status
from .selectors import application_draft_for_service, application_prefill
from .workflow import application_transition

logger = logging.getLogger(__name__)


def _check_answers(*, schema: dict, answers, partial: bool) -> None:
    errors = validate_answers(schema=schema, answers=answers, partial=partial)
    if errors:
        raise ValidationFailed(_("Some answers need your attention."), errors=errors)


@transaction.atomic
def application_create_draft(
    *, applicant, service: Service, answers: dict | None = None, channel=Channel.WEB
) -> Application:
    """Create a draft with a human reference, pinned to the service's current form version and filled in from
    the resident's profile and earlier applications; answers may be incomplete but never invalid."""
    if not service.is_active:
        raise NotAllowed(_("This service is not open for applications."))
    answers = answers or {}
    version = form_version_publish(service=service)
    _check_answers(schema=version.schema, answers=answers, partial=True)
    prefill = {
        name: value
        for name, (value, _source) in application_prefill(applicant=applicant, schema=version.schema).items()
    }
    application = Application.objects.create(
        applicant=applicant, service=service, form_version=version, answers={**prefill, **answers}, channel=channel
    )
    application.reference = f"{service.department.reference_prefix}-{timezone.localdate().year}-{application.pk:06d}"
    application.save(update_fields=["reference"])
    return application


def application_start(*, applicant, service: Service) -> Application:
    """Return the resident's draft for the service to carry on with, or a new one."""
    return application_draft_for_service(user=applicant, service=service) or application_create_draft(
        applicant=applicant, service=service
    )


@transaction.atomic
def application_save_answers(*, application: Application, changes: dict, by) -> Application:
    """Save answers into the applicant's draft: each question's answer replaced whole, None removing it, and the
    answers to questions no longer asked dropped; incomplete is fine, wrong is refused and saves nothing."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("form_version", "service")
        .get(pk=application.pk)
    )
    if by is None or by.pk != locked.applicant_id:
        raise NotAllowed(_("Only the applicant may change the answers."))
    if locked.status != Status.DRAFT:
        raise InvalidTransition(_("The application has been submitted, so its answers can no longer change."))
    answers = answers_merge(locked.schema, locked.answers, changes)
    _check_answers(schema=locked.schema, answers=answers, partial=True)
    locked.answers, locked.draft_reminder_sent_at = answers, None
    locked.save(update_fields=["answers", "draft_reminder_sent_at", "updated_at"])
    return locked


@transaction.atomic
def application_submit(*, application: Application, by) -> Application:
    """Check the answers in full and the eligibility rules, submit, and queue routing once the transaction commits
    (if the broker is down, the submission still stands and the routing sweep publishes it later)."""
    from services.routing.tasks import route_application

    _check_answers(schema=application.schema, answers=application.answers, partial=False)
    eligibility = eligibility_check(
        service=application.service,
        profile=profile_for_user(user=application.applicant),
        answers=application.answers,
        schema=application.schema,
    )
    if eligibility.failed:
        raise NotEligible(
            _("You cannot apply for this service: %(reasons)s")
            % {"reasons": " ".join(rule.reason for rule in eligibility.failed)},
            errors={"eligibility": [rule.reason for rule in eligibility.failed]},
        )
    application = application_transition(
        application=application, to=Status.SUBMITTED, by=by, changes={"submitted_at": timezone.now()}
    )
    publish_on_commit(route_application, (application.pk,), reference=application.reference)
    return application


def application_claim(*, application: Application, by) -> Application:
    """Take a routed application from the department queue; exactly one of two racing caseworkers wins."""
    try:
        return application_transition(
            application=application,
            to=Status.IN_REVIEW,
            by=by,
            changes={"assignee": by},
        )
    except InvalidTransition:
        # Losing the race is the common case: say so rather than "in review cannot become in review".
        if Application.objects.filter(pk=application.pk, status=Status.IN_REVIEW).exclude(assignee=by).exists():
            raise InvalidTransition(_("Another caseworker has already claimed this application.")) from None
        raise


def application_decide(*, application: Application, by, approve: bool, reason: str = "") -> Application:
    """Approve or reject an application in review; a rejection must give the resident a reason."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationFailed(_("Give the resident a reason for the rejection."), errors={"reason": [_("Required.")]})
    return application_transition(
        application=application,
        to=Status.APPROVED if approve else Status.REJECTED,
        by=by,
        message=reason,
        changes={"decided_at": timezone.now(), "decision_reason": reason},
    )


def application_withdraw(*, application: Application, by) -> Application:
    """Withdraw the applicant's own open application."""
    return application_transition(application=application, to=Status.WITHDRAWN, by=by)


def application_drafts_remind(*, now: dt.datetime | None = None) -> int:
    """Email each resident whose draft will be deleted in DRAFT_REMINDER_DAYS_BEFORE days; once per draft."""
    now = now or timezone.now()
    untouched_since = now - dt.timedelta(days=settings.DRAFT_RETENTION_DAYS - settings.DRAFT_REMINDER_DAYS_BEFORE)
    due = Application.objects.filter(status=Status.DRAFT, updated_at__lt=untouched_since, draft_reminder_sent_at=None)
    sent = 0
    for application in due.select_related("service", "applicant")[:1000]:
        # Claim the reminder first: two sweeps at once send it once, and a crash after the claim sends none.
        claimed = Application.objects.filter(pk=application.pk, status=Status.DRAFT, draft_reminder_sent_at=None)
        if claimed.update(draft_reminder_sent_at=now):
            _send_draft_reminder(
                application=application, deleted_on=now + dt.timedelta(days=settings.DRAFT_REMINDER_DAYS_BEFORE)
            )
            sent += 1
    return sent


def _send_draft_reminder(*, application: Application, deleted_on: dt.datetime) -> None:
    language = profile_for_user(user=application.applicant).preferred_language
    with translation.override(language):
        context = {
            "application": application,
            "service": application.service.title,
            "deleted_on": timezone.localtime(deleted_on).date(),
            "url": settings.PORTAL_URL.rstrip("/") + reverse("applications:detail", args=[application.public_id]),
        }
        subject = _("Your draft application will be deleted on %(date)s") % {"date": context["deleted_on"].isoformat()}
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("emails/draft_reminder.txt", context),
            to=[application.applicant.email],
        )
        message.attach_alternative(render_to_string("emails/draft_reminder.html", context), "text/html")
    message.send()
    logger.info("draft reminder sent", extra={"reference": application.reference})


def application_drafts_purge(*, now: dt.datetime | None = None) -> int:
    """Delete drafts untouched for DRAFT_RETENTION_DAYS whose resident was reminded at least
    DRAFT_REMINDER_DAYS_BEFORE days ago; return how many."""
    now = now or timezone.now()
    stale = Application.objects.filter(
        status=Status.DRAFT,
        updated_at__lt=now - dt.timedelta(days=settings.DRAFT_RETENTION_DAYS),
        draft_reminder_sent_at__lte=now - dt.timedelta(days=settings.DRAFT_REMINDER_DAYS_BEFORE),
    )
    deleted = stale.delete()[1].get(Application._meta.label, 0)
    if deleted:
        logger.info("purged %d stale drafts", deleted)
    return deleted
