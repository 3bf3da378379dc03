"""The buttons of the application page: which are offered, and what pressing one does (a workflow action, then an
audit entry); a decision's confirmation step, with the letter the resident will get."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.models import ResidentProfile
from services.accounts.permissions import staff_scope
from services.accounts.selectors import profile_for_user, staff_list_for_departments
from services.applications.actions import (
    application_assign,
    application_claim,
    application_decide,
    application_note_add,
    application_release,
    application_request_information,
    decision_reason_for,
)
from services.applications.models import Application, Status
from services.applications.selectors import decision_letter_html, missing_document_types, rejection_reason_list
from services.applications.workflow import Actor, actor_roles, allowed_moves, assignment_status
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.errors import DomainError, ValidationFailed

Move = tuple[Status, Status]  # an entry of the lifecycle's TRANSITIONS table: (from, to)


@dataclass(frozen=True)
class CaseAction:
    """A button: a status-changing one is offered iff the user may make its move now (allowed_moves says so), any
    other by ``offered_to``."""

    label: str
    audit: AuditAction
    run: Callable  # (application, request, version)
    move: Move | None = None
    offered_to: Callable[[Application, set[Move], set[Actor]], bool] | None = None  # (application, moves, roles)

    def is_offered(self, application: Application, moves: set[Move], roles: set[Actor]) -> bool:
        return self.move in moves if self.move else self.offered_to(application, moves, roles)


def _assignee(application, request):
    assignee = staff_list_for_departments(department_ids=[application.department_id]).filter(
        pk=request.POST.get("assignee") or None
    )
    if not assignee:
        raise ValidationFailed(gettext("Choose a caseworker."), errors={"assignee": [gettext("Required.")]})
    return assignee.get()


def _chosen_reason(application, data, *, approve: bool):
    chosen = "" if approve else data.get("rejection_reason") or ""
    return rejection_reason_list(application=application).filter(pk=chosen).first() if chosen.isdigit() else None


def _decide(application, request, version, *, approve: bool):
    return application_decide(
        application=application,
        by=request.user,
        approve=approve,
        reason=request.POST.get("reason", ""),
        rejection_reason=_chosen_reason(application, request.POST, approve=approve),
        version=version,
    )


CASE_ACTIONS = {
    # Claim is the move into review from the queue. The table has two others into review, neither a claim: the
    # resident's answer (awaiting information → in review) and a supervisor's reassignment (in review → in review).
    "claim": CaseAction(
        _("Claim"),
        AuditAction.CLAIM,
        lambda app, request, version: application_claim(application=app, by=request.user, version=version),
        move=(Status.ROUTED, Status.IN_REVIEW),
    ),
    "release": CaseAction(
        _("Release to the queue"),
        AuditAction.RELEASE,
        lambda app, request, version: application_release(application=app, by=request.user, version=version),
        move=(Status.IN_REVIEW, Status.ROUTED),
    ),
    # Assign shares claim's move for a routed application (a supervisor claims it for someone) and otherwise keeps
    # the status (a reassignment): offered to a supervisor, as application_assign requires, where its move is allowed.
    "assign": CaseAction(
        _("Assign"),
        AuditAction.ASSIGN,
        lambda app, request, version: application_assign(
            application=app, assignee=_assignee(app, request), by=request.user, version=version
        ),
        offered_to=lambda app, moves, roles: (
            Actor.SUPERVISOR in roles and (app.status, assignment_status(application=app)) in moves
        ),
    ),
    "request_information": CaseAction(
        _("Ask the resident"),
        AuditAction.REQUEST_INFORMATION,
        lambda app, request, version: application_request_information(
            application=app,
            by=request.user,
            message=request.POST.get("message", ""),
            items=request.POST.get("items", "").splitlines(),
            document_types=app.service.document_types.filter(code__in=request.POST.getlist("document_types")),
            version=version,
        ),
        move=(Status.IN_REVIEW, Status.AWAITING_INFORMATION),
    ),
    "approve": CaseAction(
        _("Approve"),
        AuditAction.APPROVE,
        lambda app, request, version: _decide(app, request, version, approve=True),
        move=(Status.IN_REVIEW, Status.APPROVED),
    ),
    "reject": CaseAction(
        _("Reject"),
        AuditAction.REJECT,
        lambda app, request, version: _decide(app, request, version, approve=False),
        move=(Status.IN_REVIEW, Status.REJECTED),
    ),
    "note": CaseAction(
        _("Add the note"),
        AuditAction.NOTE,
        lambda app, request, version: application_note_add(
            application=app, by=request.user, text=request.POST.get("note", "")
        ),
        offered_to=lambda app, moves, roles: Actor.STAFF in roles,
    ),
}


def offered_actions(request, application: Application) -> set[str]:
    """Return the names of the buttons the user may press now on the application's page."""
    roles = actor_roles(application=application, by=request.user, scope=staff_scope(request))
    moves = {(application.status, to) for to in allowed_moves(application=application, by=request.user, roles=roles)}
    return {name for name, action in CASE_ACTIONS.items() if action.is_offered(application, moves, roles)}


def case_actions_context(request, application: Application) -> dict:
    """The application page's buttons the user may press now, with what their forms offer."""
    offered = offered_actions(request, application)
    return {
        "case_actions": [(name, action.label) for name, action in CASE_ACTIONS.items() if name in offered],
        "case_action_url": reverse("admin:applications_application_act", args=[application.pk]),
        "claim_offered": "claim" in offered,
        "application_version": application.version,
        "rejection_reasons": rejection_reason_list(application=application) if "reject" in offered else [],
        "assignable": staff_list_for_departments(department_ids=[application.department_id]).exclude(
            pk=application.applicant_id
        )
        if "assign" in offered
        else [],
        **(_request_information_context(application) if "request_information" in offered else {}),
    }


def _request_information_context(application: Application) -> dict:
    """What the form asking the resident offers: the service's document types (the missing ones ticked) and the
    language the resident reads them in."""
    missing = {document_type.pk for document_type in missing_document_types(application=application)}
    return {
        "document_types": [(kind, kind.pk in missing) for kind in application.service.document_types.all()],
        "resident_language": ResidentProfile.Language(profile_for_user(user=application.applicant).preferred_language),
    }


def act_view(model_admin, request, object_id):
    """Press a button of the application page (posted with the version the page showed); approve and reject first
    show the decision letter and decide only when pressed again for that letter."""
    application = model_admin.get_object(request, unquote(object_id))
    name = request.POST.get("action")
    action = CASE_ACTIONS.get(name)
    if action is None:
        raise Http404
    if name in DECISIONS and not _confirmed(application, request.POST, approve=name == "approve"):
        return decision_confirm_view(model_admin, request, application, approve=name == "approve")
    version = request.POST.get("version", "")
    try:
        if not version.isdigit():
            raise ValidationFailed(gettext("This page is out of date: reload it and try again."))
        action.run(application, request, int(version))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        audit_record(action=action.audit, request=request, applications=[application])
        application.refresh_from_db(fields=["status"])
        messages.success(
            request,
            gettext("%(reference)s: %(status)s.")
            % {"reference": application.reference, "status": application.get_status_display()},
        )
    return HttpResponseRedirect(reverse("admin:applications_application_change", args=[application.pk]))


DECISIONS = {"approve", "reject"}


def _letter_fingerprint(*, approve: bool, reason: str) -> str:
    """Name the letter a caseworker read: confirming is for that letter, and words changed since show it again."""
    return hashlib.sha256(f"{approve}\n{reason}".encode()).hexdigest()[:32]


def _decision_reason(application, data, *, approve: bool) -> str:
    return decision_reason_for(
        application=application,
        approve=approve,
        reason=data.get("reason", ""),
        rejection_reason=_chosen_reason(application, data, approve=approve),
    )


def _confirmed(application, data, *, approve: bool) -> bool:
    """Whether the decision was confirmed for the letter its words make now."""
    if not data.get("confirm"):
        return False
    try:
        reason = _decision_reason(application, data, approve=approve)
    except DomainError:
        return False
    return data["confirm"] == _letter_fingerprint(approve=approve, reason=reason)


def decision_confirm_view(model_admin, request, application, *, approve: bool):
    """Show the decision letter the resident would get if the caseworker decided now as the form says, in the
    resident's language, and ask to confirm; nothing is saved (a look at personal data, so it is audited)."""
    name = "approve" if approve else "reject"
    change_url = reverse("admin:applications_application_change", args=[application.pk])
    if name not in offered_actions(request, application):
        messages.error(request, gettext("You may not make this change to this application."))
        return HttpResponseRedirect(change_url)
    letter = fingerprint = None
    try:
        reason = _decision_reason(application, request.POST, approve=approve)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        if request.POST.get("confirm"):
            messages.warning(request, gettext("The words changed since you read the letter: read it again."))
        audit_record(
            action=AuditAction.VIEW, request=request, applications=[application], detail="decision letter preview"
        )
        application.status = Status.APPROVED if approve else Status.REJECTED
        application.decided_at, application.decision_reason = timezone.now(), reason
        letter = decision_letter_html(application=application, embedded=True)  # a template's output: escaped, safe
        fingerprint = _letter_fingerprint(approve=approve, reason=reason)
    language = ResidentProfile.Language(profile_for_user(user=application.applicant).preferred_language)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Approve %(reference)s?") if approve else gettext("Reject %(reference)s?"),
        "opts": model_admin.model._meta,
        "original": application,
        "name": name,
        "approve": approve,
        "letter": letter,
        "letter_language": language,
        "letter_lang": "zh-Hans" if language == ResidentProfile.Language.ZH_HANS else language.value,
        "fingerprint": fingerprint,
        "reason": request.POST.get("reason", ""),
        "rejection_reasons": [] if approve else rejection_reason_list(application=application),
        "chosen_reason": _chosen_reason(application, request.POST, approve=approve),
        "version": request.POST.get("version", ""),
        "act_url": reverse("admin:applications_application_act", args=[application.pk]),
        "change_url": change_url,
    }
    context["title"] %= {"reference": application.reference}
    return TemplateResponse(request, "admin/applications/application/decision_confirm.html", context)
