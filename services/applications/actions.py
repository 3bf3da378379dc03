"""Writes on applications; the web, the API, the admin and tasks all call these."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from services.catalogue.models import Service
from services.common.errors import InvalidTransition, NotAllowed, ValidationFailed
from services.dynamic_forms.validation import validate_answers

from .models import Application, Channel, Status
from .workflow import application_transition


def _check_answers(*, service: Service, answers, partial: bool) -> None:
    errors = validate_answers(schema=service.form_schema, answers=answers, partial=partial)
    if errors:
        raise ValidationFailed(_("Some answers need your attention."), errors=errors)


@transaction.atomic
def application_create_draft(
    *, applicant, service: Service, answers: dict | None = None, channel=Channel.WEB
) -> Application:
    """Create a draft application with a human reference; answers may be incomplete but never invalid."""
    if not service.is_active:
        raise NotAllowed(_("This service is not open for applications."))
    answers = answers or {}
    _check_answers(service=service, answers=answers, partial=True)
    application = Application.objects.create(applicant=applicant, service=service, answers=answers, channel=channel)
    application.reference = f"{service.department.reference_prefix}-{timezone.localdate().year}-{application.pk:06d}"
    application.save(update_fields=["reference"])
    return application


@transaction.atomic
def application_submit(*, application: Application, by) -> Application:
    """Check the answers in full, submit, and queue routing once the transaction commits."""
    from services.routing.tasks import route_application

    _check_answers(service=application.service, answers=application.answers, partial=False)
    application = application_transition(
        application=application, to=Status.SUBMITTED, by=by, changes={"submitted_at": timezone.now()}
    )
    route_application.delay_on_commit(application.pk)
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
