"""A department's automatic checks on a routed application (intake), and their findings in the reader's words.

Each check returns a finding (its code with its data, stored on the application) or None; a finding is worded when
it is shown, in the reader's language.
"""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.applications.models import OPEN_STATUSES, Application
from services.applications.selectors import application_eligibility, missing_document_types
from services.catalogue.eligibility import Outcome
from services.catalogue.models import DocumentType
from services.common.i18n import localized


class IntakeFinding(models.TextChoices):
    DOCUMENTS_MISSING = "documents_missing", gettext_lazy("Required documents missing")
    DUPLICATE_OPEN = "duplicate_open", gettext_lazy("Another open application for the service")
    NOT_ELIGIBLE = "not_eligible", gettext_lazy("Not eligible at intake")
    ELIGIBILITY_UNKNOWN = "eligibility_unknown", gettext_lazy("Eligibility unknown at intake")
    CHECKS_FAILED = "checks_failed", gettext_lazy("The automatic checks could not run")


def _duplicate_open(application: Application) -> dict | None:
    duplicates = (
        Application.objects.filter(
            applicant_id=application.applicant_id, service_id=application.service_id, status__in=OPEN_STATUSES
        )
        .exclude(pk=application.pk)
        .values_list("reference", flat=True)
    )
    return {"code": IntakeFinding.DUPLICATE_OPEN, "references": list(duplicates)} if duplicates else None


def _documents_missing(application: Application) -> dict | None:
    missing = sorted(document_type.code for document_type in missing_document_types(application=application))
    return {"code": IntakeFinding.DOCUMENTS_MISSING, "types": missing} if missing else None


def _eligibility(application: Application) -> dict | None:
    # Checked again now: the profile may have changed since the submission, and "can't tell" does not block one.
    result = application_eligibility(application=application)
    codes = {Outcome.NOT_ELIGIBLE: IntakeFinding.NOT_ELIGIBLE, Outcome.UNKNOWN: IntakeFinding.ELIGIBILITY_UNKNOWN}
    return {"code": codes[result.outcome]} if result.outcome in codes else None


# The checks, in order.
INTAKE_CHECKS = [_documents_missing, _duplicate_open, _eligibility]


def intake_findings(*, application: Application) -> list[dict]:
    """Return what the department's automatic checks find on the application now."""
    return [finding for check in INTAKE_CHECKS if (finding := check(application))]


def _document_names(codes: list[str]) -> str:
    names = {t.code: localized(t, "name") for t in DocumentType.objects.filter(code__in=codes)}
    return ", ".join(names.get(code, code) for code in codes)


def _eligibility_reasons(application: Application) -> str:
    result = application_eligibility(application=application)
    return " ".join(rule.reason for rule in result.rules if rule.outcome != Outcome.ELIGIBLE)


# How each finding is put into words, in the reader's language: code → (finding, application) → message.
FINDING_WORDS = {
    IntakeFinding.DOCUMENTS_MISSING: lambda finding, application: (
        _("Required documents not provided: %(names)s") % {"names": _document_names(finding["types"])}
    ),
    IntakeFinding.DUPLICATE_OPEN: lambda finding, application: (
        _("The applicant has another open application for this service: %(refs)s")
        % {"refs": ", ".join(finding["references"])}
    ),
    IntakeFinding.NOT_ELIGIBLE: lambda finding, application: (
        _("Not eligible under the service's rules at intake. Now: %(reasons)s")
        % {"reasons": _eligibility_reasons(application)}
    ),
    IntakeFinding.ELIGIBILITY_UNKNOWN: lambda finding, application: (
        _("Eligibility could not be confirmed at intake (facts missing). Now: %(reasons)s")
        % {"reasons": _eligibility_reasons(application)}
    ),
    IntakeFinding.CHECKS_FAILED: lambda finding, application: _(
        "The automatic checks could not run: check this application by hand."
    ),
}


def intake_findings_for_display(*, application: Application) -> list[str]:
    """Return the intake checks' findings in the reader's language (a single line when there is none)."""
    if application.intake_checked_at is None:
        return [_("Not checked yet.")]
    findings = [FINDING_WORDS[finding["code"]](finding, application) for finding in application.intake_flags]
    return findings or [_("No problems found.")]
