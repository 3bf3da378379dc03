import datetime as dt
import functools
import uuid
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import translation

from services.accounts.permissions import staff_scope_for
from services.accounts.selectors import profile_for_user
from services.catalogue.eligibility import EligibilityResult
from services.catalogue.fees import FeeQuote
from services.catalogue.models import DocumentType, FormVersion, Service
from services.catalogue.selectors import eligibility_check, service_fee_quote
from services.common.statements import Statement
from services.credentials.selectors import (
    credential_facts,
    credential_list_for_holder,
    credential_usable,
)
from services.documents.models import Document
from services.documents.selectors import document_list_for_owner
from services.dynamic_forms.structure import questions, steps_asked
from services.dynamic_forms.validation import validate_answers
from services.mandates.selectors import mandate_covering_q

from .models import (
    CLOCK_RUNNING,
    DECIDED,
    Application,
    ApplicationEvent,
    InformationRequest,
    RejectionReason,
    Status,
)
from .summary_rows import SummaryRows

DUE_SOON_DAYS = 3  # calendar days before the due date when the queue marks an application "due soon"


# What the resident's web list shows of each application (the link, reference, service, status, dates): the
# answers, the service's form and texts and the form version's schema, JSON to decode row by row, stay unread.
LIST_COLUMNS = (
    "public_id", "reference", "service__title_zh", "service__title_en", "status", "updated_at", "submitted_at",
    "due_date",
)  # fmt: skip


def application_list_for_resident(*, user) -> QuerySet[Application]:
    """Return the resident's own applications, newest first (the same order page after page), with their service's
    title; only the columns the list shows."""
    applications = Application.objects.for_applicant(user).order_by("-created_at", "-id")
    return applications.select_related("service").only(*LIST_COLUMNS)


def application_list_acted_for(*, user) -> QuerySet[Application]:
    """Return the applications of the people the resident acts for under a mandate (within its scope), newest
    first, with the person's name."""
    return Application.objects.acted_for(user).select_related("service__department", "applicant__profile")


# What a list of a resident's applications shows (the API's ApplicationOutputSerializer): the rest, the
# service's and the form's JSON above all, is left in the database.
SUMMARY_COLUMNS = (
    "public_id", "reference", "service__slug", "status", "form_version__number", "answers", "submitted_at",
    "due_date", "decided_at", "decision_reason", "created_at",
)  # fmt: skip
# The two columns of other tables, each read for a row of the page only (a subquery, not a join): joined, PostgreSQL
# sorted every application of a resident it believed had few (statistics not yet brought up to date), 14 ms at 5,688
# of them, where the applicant's index gives the page in order at once (0.2 ms).
_SUMMARY_LOOKUPS = {
    "service__slug": Subquery(Service.objects.filter(pk=OuterRef("service_id")).order_by().values("slug")),
    "form_version__number": Subquery(
        FormVersion.objects.filter(pk=OuterRef("form_version_id")).order_by().values("number")
    ),
}
# The answers as the JSON text the database holds, sent as they are (``answers_json``, in place of ``answers``).
_SUMMARY_ANSWERS = {"answers_json": Cast("answers", TextField())}


def application_summaries_for_resident(*, user, statuses=(), service: str = "") -> QuerySet[dict[str, Any]]:
    """Return the resident's own applications for a list, newest first, as ``values()`` rows of only the columns
    a list shows (no model instances); optionally only those in ``statuses`` or for the service ``service``."""
    applications = _summaries().for_applicant(user)
    if statuses:
        applications = applications.filter(status__in=statuses)
    if service:
        applications = applications.filter(service__slug=service)
    return applications


@functools.cache
def _summaries() -> QuerySet[dict[str, Any]]:
    # Built once per process and only ever copied (filtered, never read itself): setting up the columns and their
    # joins was about 6 % of an API list request.
    summaries = Application.objects.values(
        *(column for column in SUMMARY_COLUMNS if column not in _SUMMARY_LOOKUPS and column != "answers"),
        **_SUMMARY_LOOKUPS,
        **_SUMMARY_ANSWERS,
    )
    summaries._iterable_class = SummaryRows
    return summaries


def application_get_for_resident(*, user, public_id) -> Application:
    """Return the resident's own application, or one of a person they act for within the mandate's scope; raise
    Http404 for any other (another person's is not found, nor is it once the mandate is revoked or expired)."""
    # Their own first, by the applicant's index: building the condition on mandates took more CPU than the rest of
    # the read (2.3 against 1.0 ms in process); an agent's or a missing application costs that one statement more.
    if isinstance(public_id, uuid.UUID):  # by a statement built once per process: building it was 60 % of the read
        application = next(iter(_OWN_APPLICATION.objects(user.pk, public_id)), None)
    else:
        application = _own_application(user.pk, public_id).first()
    if application is None:
        application = get_object_or_404(Application.objects.visible_to_resident(user).select_related(*_RELATED),
                                         public_id=public_id)  # fmt: skip
    elif type(user) is Application.applicant.field.related_model:  # a user, not a lazy request.user
        Application.applicant.field.set_cached_value(application, user)  # theirs: no query for the applicant
    if application.department_id == application.service.department_id:  # handled by the service's own department
        Application.department.field.set_cached_value(application, application.service.department)  # no query
    return application


_RELATED = ("service__department", "form_version")


def _own_application(applicant_id, public_id) -> QuerySet[Application]:
    return Application.objects.for_applicant(applicant_id).select_related(*_RELATED).filter(public_id=public_id)


_OWN_APPLICATION = Statement(Application, lambda applicant_id, public_id: _own_application(applicant_id, public_id)[:1])


def application_get_decided_for_resident(*, user, public_id) -> Application:
    """Return a decided application the resident may see (for its decision letter) or raise Http404."""
    return get_object_or_404(
        Application.objects.visible_to_resident(user).select_related("service__department", "applicant__profile"),
        public_id=public_id,
        status__in=DECIDED,
    )


def application_timeline(*, application: Application, for_resident: bool) -> QuerySet[ApplicationEvent]:
    """Return the application's events in order; residents see only those meant for them."""
    events = application.events.select_related("information_request").prefetch_related(
        "information_request__document_types"
    )
    if for_resident:  # the actor shown only when an agent acted (by name), never a caseworker
        return events.filter(visible_to_resident=True).select_related("actor__profile")
    return events.select_related("actor")


def resident_timeline_rows(*, application_id: int) -> list[tuple]:
    """Return the events of the application that its resident sees (``application_timeline``'s), in order, as the
    API shows them: (time, from status, to status, message); by a statement built once per process (the events with
    all they relate to, built and read through the ORM, were a fifth of an API submit's CPU)."""
    return _RESIDENT_TIMELINE.rows(application_id)


_RESIDENT_TIMELINE = Statement(
    ApplicationEvent,
    lambda application_id: application_timeline(
        application=Application(pk=application_id), for_resident=True
    ).values_list("created_at", "from_status", "to_status", "message"),
)


def application_deadline_flag(*, application: Application, today: dt.date) -> str | None:
    """Return the application's deadline flag on ``today``: "paused", "overdue", "soon" or None (nothing to flag)."""
    if application.due_date is None:
        return None
    if application.status == Status.AWAITING_INFORMATION:
        return "paused"
    if application.is_overdue(today):
        return "overdue"
    if application.status in CLOCK_RUNNING and application.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS):
        return "soon"
    return None


def application_list_by_deadline_flag(
    *, applications: QuerySet[Application], flag: str, today: dt.date
) -> QuerySet[Application]:
    """Return those of ``applications`` application_deadline_flag flags ``flag`` on ``today`` (all for another)."""
    if flag == "overdue":
        return applications.overdue(today)
    if flag == "soon":
        soon = today + dt.timedelta(days=DUE_SOON_DAYS)
        return applications.filter(status__in=CLOCK_RUNNING, due_date__gte=today, due_date__lte=soon)
    if flag == "paused":
        return applications.filter(status=Status.AWAITING_INFORMATION)
    return applications


def application_draft_for_service(*, user, service) -> Application | None:
    """Return the resident's most recently saved draft for the service, if any."""
    drafts = Application.objects.for_applicant(user).filter(service=service, status=Status.DRAFT)
    return drafts.order_by("-updated_at").first()


def application_needs_profile_first(*, applicant, service: Service) -> bool:
    """Return whether the resident should give their details in the profile before starting this service's form:
    they never saved a profile, the form takes facts from it, and they have no draft of it yet."""
    return (
        profile_for_user(user=applicant).pk is None
        and any("x-prefill" in prop for _name, prop in questions(service.form_schema))
        and application_draft_for_service(user=applicant, service=service) is None
    )


def credential_answers(*, schema: dict, answers: dict) -> list[tuple[str, str, str]]:
    """Return (question, credential type, credential id) for each document question answered with a credential."""
    return [
        (name, prop["x-credential-type"], answers[name]["credential_id"])
        for name, prop in questions(schema)
        if prop.get("x-credential-type") and isinstance(answers.get(name), dict) and answers[name].get("credential_id")
    ]


def credential_evidence(*, application: Application) -> list[tuple[str, Any]]:
    """Return each credential given as evidence, checked now: (question title, the applicant's credential of that
    type and id, or None when there is no such credential of theirs)."""
    checked = []
    for name, type_code, public_id in credential_answers(schema=application.schema, answers=application.answers):
        credential = credential_list_for_holder(user=application.applicant_id).filter(
            public_id=public_id, type__code=type_code
        )
        checked.append((application.schema["properties"][name].get("title", name), credential.first()))
    return checked


def application_eligibility(*, application: Application) -> EligibilityResult:
    """Return the service's eligibility rules checked on the application: its applicant's profile as it is now
    and its answers (the facts every check of an application uses: submission, intake, the caseworker's view)."""
    return eligibility_check(
        service=application.service,
        profile=profile_for_user(user=application.applicant),
        answers=application.answers,
        schema=application.schema,
        **credential_facts(holder=application.applicant, rules=application.service.eligibility_rules),
    )


def application_fee_quote(*, application: Application) -> FeeQuote:
    """Return the fee the application would pay if submitted now: its service's fee rule on the facts
    application_eligibility uses (the check page shows it, the submission stores it)."""
    return service_fee_quote(
        service=application.service,
        profile=profile_for_user(user=application.applicant),
        answers=application.answers,
        schema=application.schema,
    )


def application_next_step(*, application: Application) -> str | None:
    """Return the key of the first step still missing an answer or holding a wrong one; None when all is done."""
    schema, answers = application.schema, application.answers
    unfinished = {path.split(".")[0] for path in validate_answers(schema=schema, answers=answers)}
    for step in steps_asked(schema, answers):
        if unfinished & set(step["fields"]):
            return step["key"]
    return None


def staff_may_handle(*, user, application: Application) -> bool:
    """Return whether ``user`` could handle the application: active staff of its department, not its applicant."""
    # department_ids, not works_in: work goes to the department's own members, an administrator's reach aside.
    return (
        user.pk != application.applicant_id and application.department_id in staff_scope_for(user=user).department_ids
    )


def information_request_list(*, application: Application) -> QuerySet[InformationRequest]:
    """Return the application's information requests, oldest first, with who asked and the documents sent in
    answer."""
    return application.information_requests.select_related("asked_by").prefetch_related(
        "documents__document_type", "document_types"
    )


def information_request_get_open(*, application: Application) -> InformationRequest | None:
    """Return the request the resident is to answer now: the latest unanswered one while the application waits."""
    if application.status != Status.AWAITING_INFORMATION:
        return None
    return application.information_requests.filter(answered_at__isnull=True).order_by("-created_at", "-id").first()


def information_request_get_for_resident(*, user, application_id, public_id) -> InformationRequest:
    """Return an information request of an application the resident may see (their own, or one they act on under
    a mandate) or raise Http404."""
    mandated = mandate_covering_q(grantee=user, subject="application__applicant", service="application__service")
    return get_object_or_404(
        InformationRequest.objects.select_related("application").filter(Q(application__applicant=user) | Q(mandated)),
        application__public_id=application_id,
        public_id=public_id,
    )


def application_document_list(*, application: Application) -> QuerySet[Document]:
    """Return the documents attached to the application, in the order they were attached."""
    return (
        Document.objects.filter(application_links__application=application)
        .select_related("document_type")
        .order_by("application_links__attached_at", "application_links__id")
    )


def application_takes_documents(*, application: Application) -> bool:
    """Return whether documents may be attached to the application now: while it is a draft or open."""
    return application.status == Status.DRAFT or application.is_open


def attachable_document_list(*, user, application: Application) -> QuerySet[Document]:
    """Return the user's usable wallet documents not yet attached to the application."""
    return document_list_for_owner(user=user).usable().exclude(application_links__application=application)


def missing_document_types(*, application: Application) -> list[DocumentType]:
    """Return the document types the service asks for that no attached, unexpired document covers yet."""
    covered = set(
        application_document_list(application=application).usable().values_list("document_type_id", flat=True)
    )
    # A valid credential of the applicant's, given for a document question, stands for that document.
    by_credential = {
        application.schema["properties"][name]["x-document-type"]
        for name, type_code, public_id in credential_answers(schema=application.schema, answers=application.answers)
        if credential_usable(holder=application.applicant_id, public_id=public_id, type_code=type_code)
    }
    return [t for t in application.service.document_types.all() if t.pk not in covered and t.code not in by_credential]


def rejection_reason_list(*, application: Application) -> QuerySet[RejectionReason]:
    """Return the rejection reasons a caseworker may choose for the application's service."""
    return RejectionReason.objects.filter(service_id=application.service_id, is_active=True)


def application_draft_list_for_resident(*, user, limit: int = 3) -> list[Application]:
    """Return the resident's most recently saved drafts, for "continue your draft" on the home page."""
    drafts = Application.objects.for_applicant(user).filter(status=Status.DRAFT).select_related("service")
    return list(drafts.order_by("-updated_at")[:limit])


def decision_letter_html(*, application: Application, embedded: bool = False) -> str:
    """Return the decision letter of a decided application as a printable page, in the resident's language; with
    ``embedded``, only the letter itself, for a page of another language to show (the caseworker's preview)."""
    profile = profile_for_user(user=application.applicant)
    with translation.override(profile.preferred_language):
        context = {
            "application": application,
            "profile": profile,
            "department": application.department or application.service.department,
            "language": translation.get_language(),
        }
        template = "applications/decision_letter_body.html" if embedded else "applications/decision_letter.html"
        return render_to_string(template, context)
