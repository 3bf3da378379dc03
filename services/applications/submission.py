"""What a submission checks and records, for the two-call submit and the one-call create-and-submit alike."""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from services.common.errors import DocumentsMissing, NotEligible, ValidationFailed
from services.common.i18n import is_chinese
from services.credentials.selectors import credential_usable
from services.dynamic_forms.validation import validate_answers
from services.identity.selectors import assurance_require

from .attachments import MissingDocument, application_documents_missing
from .fees import fee_status_for
from .models import Application, FeeStatus
from .selectors import application_eligibility, application_fee_quote, credential_answers
from .workflow import routing_publish_on_commit

logger = logging.getLogger(__name__)


def check_answers(*, schema: dict, answers, partial: bool, applicant, missing: list[MissingDocument] = ()) -> None:
    """Refuse answers the form does not take (all of them unless ``partial``), credentials not the applicant's and,
    at submission, the required documents still ``missing`` (listed by name)."""
    errors = validate_answers(schema=schema, answers=answers, partial=partial)
    # A credential given as evidence must be the applicant's own, valid now (another person's is "not yours").
    given = credential_answers(schema=schema, answers=answers) if isinstance(answers, dict) else []
    for name, type_code, public_id in given:
        if credential_usable(holder=applicant, public_id=public_id, type_code=type_code) is None:
            errors[name] = [_("This is not a valid credential of yours: choose another or upload the document.")]
    for document in missing:
        errors[document.question] = [_("Upload “%(name)s”, or choose it from your wallet.") % {"name": document.name}]
    if missing:
        names = "、".join(d.name for d in missing) if is_chinese() else ", ".join(d.name for d in missing)
        raise DocumentsMissing(
            _("These documents are still missing: %(names)s.") % {"names": names},
            errors=errors,
            documents=[document.as_problem() for document in missing],
        )
    if errors:
        raise ValidationFailed(_("Some answers need your attention."), errors=errors)


def submission_checked(*, application: Application, by) -> dict:
    """Check what a submission needs (the caller's sign-in, the answers in full, the eligibility rules) and return
    what it records: the time and the fee quoted."""
    assurance_require(user=by, needed=application.service.assurance)
    check_answers(
        schema=application.schema,
        answers=application.answers,
        partial=False,
        applicant=application.applicant_id,
        missing=application_documents_missing(application=application),
    )
    eligibility = application_eligibility(application=application)
    if eligibility.failed:
        raise NotEligible(
            _("You cannot apply for this service: %(reasons)s")
            % {"reasons": " ".join(rule.reason for rule in eligibility.failed)},
            errors={"eligibility": [rule.reason for rule in eligibility.failed]},
        )
    quote = application_fee_quote(application=application)
    return {"submitted_at": timezone.now(), "fee_fen": quote.full_fen, "fee_status": fee_status_for(quote)}


def announced_at_once(*, application: Application, by, changes: dict) -> bool:
    """Whether a submission's messages and outbox event are written in its own request: when its routing waits for
    the fee, or an agent made it (the person is told of the act at once); else its routing writes them in its batch
    (workflow.announce_pending), and the resident's request is spared them."""
    return changes["fee_status"] == FeeStatus.DUE or by.pk != application.applicant_id


def route_on_commit(*, application: Application) -> None:
    """Publish the submitted application's routing after commit, unless it waits for its fee to be paid."""
    if not application.awaits_payment:
        routing_publish_on_commit(application=application)
    logger.info("submitted", extra={"reference": application.reference})
