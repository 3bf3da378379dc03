"""The app's one-call submission: an application created and submitted in one go."""

from contextlib import nullcontext

from django.db import connection, transaction

from services.catalogue.models import Service
from services.common.errors import DomainError
from services.dynamic_forms.structure import questions
from services.dynamic_forms.validation import normalize_answers

from .actions import application_draft_new, application_id_reserve, application_reference
from .attachments import attach_answered_documents
from .models import Application, ApplicationEvent, Channel, Status
from .submission import announced_at_once, check_answers, route_on_commit, submission_checked
from .workflow import application_first_move


def application_create_submitted(
    *, applicant, service: Service, answers: dict, channel=Channel.MOBILE, acting=None, form_version=None
) -> tuple[Application, ApplicationEvent]:
    """Create and submit an application in one go (the app's one-call submission) and return it with its event: the
    checks, records and errors of application_create_draft then application_submit, with the form version, the
    profile and the rules read once, and the row inserted once, submitted, never read back. A refused submission
    leaves nothing behind (no draft). ``form_version``: as application_create_draft's. It submits the answers sent,
    with the profile's facts for its questions left out (``x-prefill``), but nothing from earlier applications:
    those are a draft's suggestions for the resident to review, and nobody reviews this one before it is submitted.
    Every check comes before the row's first write, so in a caller's transaction (an Idempotency-Key's) it takes no
    savepoint: a refusal wrote none of it, any other error fails the whole transaction; only a form asking for
    documents (or a database without sequences) inserts the row first, for the attaching, then updates it with the
    move, in a savepoint: a refusal rolls the row back and the caller's transaction goes on to record it."""
    outer = connection.in_atomic_block
    with nullcontext() if outer else transaction.atomic():
        application = application_draft_new(applicant=applicant, service=service, answers=answers, channel=channel,
                                 acting=acting, form_version=form_version, checked_later=True,
                                 earlier_answers=False)  # fmt: skip
        application_id_reserve(application)
        if application.pk is not None and not any("x-document-type" in p for _n, p in questions(application.schema)):
            return _submit_new(application=application, by=acting or applicant, given=answers)
        _check_given(application=application, given=answers)  # before the row is written for the attaching
        with transaction.atomic(savepoint=outer):
            application.save(force_insert=True)
            attach_answered_documents(application=application, changes=application.answers, by=acting or applicant)
            return _submit_new(application=application, by=acting or applicant, given=answers)


def _check_given(*, application: Application, given: dict) -> None:
    """The draft's own check of the answers as given (application_create_draft's)."""
    given = normalize_answers(schema=application.schema, answers=given)
    check_answers(schema=application.schema, answers=given, partial=True, applicant=application.applicant)


def _submit_new(*, application: Application, by, given: dict) -> tuple[Application, ApplicationEvent]:
    try:
        changes = submission_checked(application=application, by=by)
    except DomainError:  # refused: the draft's own check of the answers as given comes first, as in the two calls
        _check_given(application=application, given=given)
        raise
    announce = announced_at_once(application=application, by=by, changes=changes)
    changes["reference"] = application_reference(application)
    event = application_first_move(application=application, to=Status.SUBMITTED, by=by, changes=changes,
                                   announce=announce)  # fmt: skip
    route_on_commit(application=application)
    return application, event
