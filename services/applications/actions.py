"""Writes on applications; the web, the API, the admin and tasks all call these."""

import logging

from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.selectors import profile_for_user
from services.catalogue.actions import form_version_publish
from services.catalogue.models import DocumentType, FormVersion, Service
from services.common.errors import InvalidTransition, NotAllowed, ValidationFailed
from services.common.statements import row_insert
from services.credentials.actions import credential_issue
from services.documents.models import Document
from services.dynamic_forms.structure import answers_merge
from services.dynamic_forms.validation import normalize_answers, validate_answers
from services.mandates.selectors import mandate_for, mandate_snapshot

from .attachments import attach_answered_documents, document_attach
from .models import (
    Application,
    ApplicationEvent,
    Channel,
    EventNote,
    InformationRequest,
    RejectionReason,
    Status,
)
from .prefill import application_prefill
from .selectors import application_draft_for_service, staff_may_handle
from .submission import announced_at_once, check_answers, route_on_commit, submission_checked
from .workflow import Actor, actor_roles, application_transition, assignment_status, refuse

logger = logging.getLogger(__name__)

MAX_REQUEST_ITEMS = 20
MAX_TEXT = 2000


def _acting_fields(*, applicant, service: Service, acting) -> dict:
    """Return what a draft made by ``acting`` for ``applicant`` records: the agent and the mandate; none for oneself.
    Without a mandate in force that covers the service, the person is not found (as another's application)."""
    if acting is None or acting.pk == applicant.pk:
        return {}
    mandate = mandate_for(grantee=acting, grantor_id=applicant.pk, service=service)
    if mandate is None:
        raise Http404("No mandate")
    return {"acting_user": acting, "mandate": mandate, "mandate_snapshot": mandate_snapshot(mandate=mandate)}


def application_create_draft(
    *, applicant, service: Service, answers: dict | None = None, channel=Channel.WEB, acting=None, form_version=None
) -> Application:
    """Create a draft with a human reference, pinned to the service's current form version (``form_version``, when
    the caller has it: catalogue.selectors.service_form_get_active) and filled in from the applicant's profile and
    earlier applications; answers may be incomplete but never invalid. ``acting``: the agent making it for the
    applicant under a mandate (then the applicant is the legal subject: their data fill it and their eligibility
    counts). Its one write is the insert: it takes no transaction of its own (a begin and a commit, two round trips
    to the database) where that is one statement."""
    application = application_draft_new(applicant=applicant, service=service, answers=answers, channel=channel,
                                        acting=acting, form_version=form_version)  # fmt: skip
    _insert(application)
    return application


def application_draft_new(
    *,
    applicant,
    service: Service,
    answers: dict | None,
    channel,
    acting,
    form_version: FormVersion | None,
    checked_later: bool = False,
    earlier_answers: bool = True,
) -> Application:
    """Return the unsaved draft application_create_draft describes (its answers checked as a draft's, unless
    ``checked_later``: the caller checks them in full, which finds every wrong answer the draft's check would, and
    makes the draft's check only when that refuses them, for the draft's errors); its questions not answered filled
    in from the profile and, with ``earlier_answers``, from the resident's earlier applications (application_prefill:
    suggestions a draft shows the resident to review)."""
    if not service.is_active:
        raise NotAllowed(_("This service is not open for applications."))
    acting_fields = _acting_fields(applicant=applicant, service=service, acting=acting)
    version = form_version or form_version_publish(service=service)
    answers = normalize_answers(schema=version.schema, answers=answers or {})
    if not checked_later:
        check_answers(schema=version.schema, answers=answers, partial=True, applicant=applicant)
    prefill = application_prefill(applicant=applicant, schema=version.schema, answered=answers,
                                  form_version_id=version.pk, earlier_answers=earlier_answers)  # fmt: skip
    prefill = {name: value for name, (value, _source) in prefill.items()}
    return Application(
        applicant=applicant,
        service=service,
        form_version=version,
        answers={**prefill, **answers},
        channel=channel,
        **acting_fields,
    )


def application_reference(application: Application) -> str:
    """The application's human reference (department prefix, year, id), once it has an id."""
    return f"{application.service.department.reference_prefix}-{timezone.localdate().year}-{application.pk:06d}"


def application_id_reserve(application: Application) -> None:
    """Give the unsaved application the next id of its table's sequence on PostgreSQL, so that its reference is
    known before the insert (elsewhere the id comes with the insert)."""
    if application.pk is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Application._meta.db_table])
            application.pk = cursor.fetchone()[0]


def _insert(application: Application) -> None:
    """Insert the new application with its reference: in one statement where the id can be known first (an update
    of a fresh row writes every one of the table's indexes again), else inserted then given its reference."""
    application_id_reserve(application)
    if application.pk is not None:
        application.reference = application_reference(application)
        row_insert(application)
        return
    with transaction.atomic():
        application.save(force_insert=True)
        application.reference = application_reference(application)
        application.save(update_fields=["reference"])


def application_start(*, applicant, service: Service, carried: dict | None = None, acting=None) -> Application:
    """Return the applicant's draft for the service to carry on with, or a new one holding the ``carried`` answers
    (given on the eligibility check) that the current form takes; ``acting``: the agent making it."""
    draft = application_draft_for_service(user=applicant, service=service)
    if draft is not None:
        return draft
    schema = form_version_publish(service=service).schema
    carried = normalize_answers(schema=schema, answers=carried or {})
    carried = carried if isinstance(carried, dict) else {}
    wrong = {path.split(".")[0] for path in validate_answers(schema=schema, answers=carried, partial=True)}
    answers = {name: value for name, value in carried.items() if name not in wrong and "" not in wrong}
    return application_create_draft(applicant=applicant, service=service, answers=answers, acting=acting)


@transaction.atomic
def application_save_answers(*, application: Application, changes: dict, by) -> Application:
    """Save answers into the applicant's draft: each question's answer replaced whole, None removing it, and the
    answers to questions no longer asked dropped; incomplete is fine, wrong is refused and saves nothing."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("form_version", "service")
        .get(pk=application.pk)
    )
    roles = actor_roles(application=locked, by=by)
    if Actor.APPLICANT not in roles:
        refuse(by=by, roles=roles, message=_("Only the applicant may change the answers."))
    if locked.status != Status.DRAFT:
        raise InvalidTransition(_("The application has been submitted, so its answers can no longer change."))
    answers = answers_merge(locked.schema, locked.answers, normalize_answers(schema=locked.schema, answers=changes))
    check_answers(schema=locked.schema, answers=answers, partial=True, applicant=locked.applicant_id)
    locked.answers, locked.draft_reminder_sent_at = answers, None
    locked.save(update_fields=["answers", "draft_reminder_sent_at", "updated_at"])
    attach_answered_documents(application=locked, changes=changes, by=by)
    return locked


def application_submit(*, application: Application, by) -> Application:
    """Check the answers in full and the eligibility rules, submit, and queue routing once the transaction commits
    (if the broker is down, the submission still stands and the routing sweep publishes it later).

    The checks only read; the one write is the transition, in its own transaction (inside a caller's, if any).
    """
    changes = submission_checked(application=application, by=by)
    announce = announced_at_once(application=application, by=by, changes=changes)
    application = application_transition(
        application=application, to=Status.SUBMITTED, by=by, changes=changes, announce=announce
    )
    route_on_commit(application=application)
    return application


def application_claim(*, application: Application, by, version: int | None = None) -> Application:
    """Take a routed application from the department queue; exactly one of two racing caseworkers wins."""
    try:
        return application_transition(
            application=application, to=Status.IN_REVIEW, by=by, changes={"assignee": by}, version=version
        )
    except InvalidTransition:
        # Losing the race is the common case: say so rather than "in review cannot become in review".
        if Application.objects.filter(pk=application.pk, status=Status.IN_REVIEW).exclude(assignee=by).exists():
            raise InvalidTransition(_("Another caseworker has already claimed this application.")) from None
        raise


def application_release(*, application: Application, by, version: int | None = None) -> Application:
    """Give an application in review back to its department's queue, unassigned."""
    return application_transition(
        application=application,
        to=Status.ROUTED,
        by=by,
        changes={"assignee": None},
        visible_to_resident=False,  # staffing, not news for the resident (and no "routed" message again)
        version=version,
    )


def application_assign(*, application: Application, assignee, by, version: int | None = None) -> Application:
    """Give an application in the queue to a caseworker of its department (supervisors only); a routed one
    goes into review, one in review or awaiting information changes hands and keeps its status."""
    if Actor.SUPERVISOR not in actor_roles(application=application, by=by):
        raise NotAllowed(_("Only a supervisor of the department may assign applications."))
    if not staff_may_handle(user=assignee, application=application):
        message = _("%(person)s cannot handle %(reference)s: not active staff of its department, or the applicant.")
        message %= {"person": assignee, "reference": application.reference}
        raise ValidationFailed(message, errors={"assignee": [message]})
    return application_transition(
        application=application,
        to=assignment_status(application=application),
        by=by,
        message=assignee.email,
        note=EventNote.ASSIGNED,
        visible_to_resident=False,  # who handles it is staff business
        changes={"assignee": assignee},
        version=version,
    )


def _checked_text(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        message = _("Keep it under %(count)d characters.") % {"count": MAX_TEXT}
        raise ValidationFailed(message, errors={field: [message]})
    return text


@transaction.atomic
def application_request_information(
    *,
    application: Application,
    by,
    message: str,
    items: list[str] = (),
    document_types: list[DocumentType] = (),
    version: int | None = None,
) -> InformationRequest:
    """Ask the resident, in one message, for everything still missing (document types, worded in the resident's
    language, and anything else in the caseworker's words); the legal clock stops until they answer."""
    message = _checked_text(message, "message")
    items = [_checked_text(item, "items") for item in items if item and item.strip()]
    document_types = list(document_types)
    if not (items or document_types) or len(items) + len(document_types) > MAX_REQUEST_ITEMS:
        problem = _("Choose the documents or list what the resident must send, one thing a line (at most %(count)d).")
        problem %= {"count": MAX_REQUEST_ITEMS}
        raise ValidationFailed(problem, errors={"items": [problem]})
    asked_for = [{"zh": kind.name_zh, "en": kind.name_en} for kind in document_types] + items
    application = application_transition(
        application=application,
        to=Status.AWAITING_INFORMATION,
        by=by,
        message=message,
        notice={"items": asked_for},
        version=version,
    )
    information_request = InformationRequest.objects.create(
        application=application,
        event=application.events.order_by("-id").first(),  # the event the move just wrote
        asked_by=by,
        message=message,
        items=items,
    )
    information_request.document_types.set(document_types)
    return information_request


@transaction.atomic
def information_request_answer(
    *, information_request: InformationRequest, by, answer: str = "", documents: list[Document] = ()
) -> InformationRequest:
    """Send the resident's answer (words, wallet documents, or both): the documents are attached to the
    application, which goes back into review with its legal clock running again."""
    answer = _checked_text(answer, "answer")
    if not answer and not documents:
        message = _("Write an answer or choose a document to send.")
        raise ValidationFailed(message, errors={"answer": [message]})
    if information_request.answered_at:
        raise InvalidTransition(_("This request has already been answered."))
    application = application_transition(
        application=information_request.application, to=Status.IN_REVIEW, by=by, message=answer
    )
    for document in documents:
        document_attach(application=application, document=document, by=by)
    information_request.answered_at, information_request.answer = timezone.now(), answer
    information_request.save(update_fields=["answered_at", "answer", "updated_at"])
    information_request.documents.set(documents)
    return information_request


def application_note_add(*, application: Application, by, text: str) -> ApplicationEvent:
    """Add an internal note to the application's timeline: staff of its department read it, residents never."""
    text = _checked_text(text, "note")
    if not text:
        raise ValidationFailed(_("Write the note."), errors={"note": [_("Required.")]})
    if Actor.STAFF not in actor_roles(application=application, by=by):
        raise NotAllowed(_("You may not make this change to this application."))
    return ApplicationEvent.objects.create(application=application, actor=by, message=text, visible_to_resident=False)


def decision_reason_for(
    *, application: Application, approve: bool, reason: str = "", rejection_reason: RejectionReason | None = None
) -> str:
    """Return the reason the resident is given: for a rejection, one of the service's rejection reasons (worded in
    the resident's language) when it has any, and the caseworker's own words, which are required then."""
    reason = _checked_text(reason, "reason")
    if approve:
        return reason
    offered = application.service.rejection_reasons.filter(is_active=True)
    if rejection_reason is not None:
        if not offered.filter(pk=rejection_reason.pk).exists():
            raise ValidationFailed(
                _("Choose one of this service's reasons."), errors={"rejection_reason": [_("Not offered.")]}
            )
        language = profile_for_user(user=application.applicant).preferred_language
        reason = "\n\n".join(filter(None, [rejection_reason.text_in(language), reason]))
    elif offered.exists():
        raise ValidationFailed(_("Choose the reason for the rejection."), errors={"rejection_reason": [_("Required.")]})
    if not reason:
        raise ValidationFailed(_("Give the resident a reason for the rejection."), errors={"reason": [_("Required.")]})
    return reason


def application_decide(
    *,
    application: Application,
    by,
    approve: bool,
    reason: str = "",
    rejection_reason: RejectionReason | None = None,
    version: int | None = None,
) -> Application:
    """Approve or reject an application in review, with the reason the resident is given (decision_reason_for). An
    approval issues the service's credential, if it has one, in the same transaction."""
    reason = decision_reason_for(
        application=application, approve=approve, reason=reason, rejection_reason=rejection_reason
    )
    with transaction.atomic():  # the credential an approval issues is part of the decision
        application = application_transition(
            application=application,
            to=Status.APPROVED if approve else Status.REJECTED,
            by=by,
            message=reason,
            changes={"decided_at": timezone.now(), "decision_reason": reason},
            version=version,
        )
        if approve:
            credential_issue(application=application)
    return application


def application_grant(*, application: Application, reason: str) -> Application:
    """Approve a draft the system made for a benefit granted without applying (免申即享), for the service's
    department, with the reason the resident is given; the service's credential is issued as on any approval."""
    now = timezone.now()
    with transaction.atomic():
        application = application_transition(
            application=application,
            to=Status.APPROVED,
            by=None,
            message=reason,
            changes={"department": application.service.department, "submitted_at": now, "decided_at": now,
                     "decision_reason": reason},
        )  # fmt: skip
        credential_issue(application=application)
    return application


def application_withdraw(*, application: Application, by) -> Application:
    """Withdraw the applicant's own open application."""
    return application_transition(application=application, to=Status.WITHDRAWN, by=by)
