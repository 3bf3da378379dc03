"""What a submission checks and records, for the two-call submit and the one-call create-and-submit alike."""

import logging

from django.utils import timezone
from django.utils.translation import gettext as _

from services.common.errors import NotEligible, ValidationFailed
from services.common.tasks import publish_on_commit
from services.credentials.selectors import credential_usable
from services.dynamic_forms.validation import validate_answers
from services.identity.selectors import assurance_require

from .fees import fee_status_for
from .models import Application
from .selectors import application_eligibility, application_fee_quote, credential_answers

logger = logging.getLogger(__name__)


def check_answers(*, schema: dict, answers, partial: bool, applicant) -> None:
    """Refuse answers the form does not take (all of them unless ``partial``) and credentials not the applicant's."""
    errors = validate_answers(schema=schema, answers=answers, partial=partial)
    # A credential given as evidence must be the applicant's own, valid now (another person's is "not yours").
    given = credential_answers(schema=schema, answers=answers) if isinstance(answers, dict) else []
    for name, type_code, public_id in given:
        if credential_usable(holder=applicant, public_id=public_id, type_code=type_code) is None:
            errors[name] = [_("This is not a valid credential of yours: choose another or upload the document.")]
    if errors:
        raise ValidationFailed(_("Some answers need your attention."), errors=errors)


def submission_checked(*, application: Application, by) -> dict:
    """Check what a submission needs (the caller's sign-in, the answers in full, the eligibility rules) and return
    what it records: the time and the fee quoted."""
    assurance_require(user=by, needed=application.service.assurance)
    check_answers(
        schema=application.schema, answers=application.answers, partial=False, applicant=application.applicant_id
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


def route_on_commit(*, application: Application) -> None:
    """Publish the submitted application's routing after commit, unless it waits for its fee to be paid."""
    if not application.awaits_payment:
        publish_on_commit(
            "services.routing.tasks.route_application", (application.pk,), reference=application.reference
        )
    logger.info("submitted", extra={"reference": application.reference})
