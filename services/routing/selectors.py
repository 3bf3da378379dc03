import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from services.applications.models import Application, Status
from services.catalogue.models import Department


@dataclass(frozen=True)
class RoutingDecision:
    department: Department
    priority: int
    rule: str


def routing_decide(*, application: Application) -> RoutingDecision:
    """Return where a submitted application goes: the department that runs its service."""
    return RoutingDecision(department=application.service.department, priority=0, rule="service-department")


def unrouted_application_ids(*, older_than: dt.timedelta, limit: int = 1000) -> list[int]:
    """Return ids of applications still 'submitted' after ``older_than``, oldest first (their message was lost)."""
    cutoff = timezone.now() - older_than
    stuck = Application.objects.filter(status=Status.SUBMITTED, submitted_at__lt=cutoff).order_by("submitted_at")
    return list(stuck.values_list("pk", flat=True)[:limit])


# How each intake finding is put into words: code → message with the finding's data.
INTAKE_FINDINGS = {
    "duplicate_open": lambda finding: (
        _("The applicant has another open application for this service: %(refs)s")
        % {"refs": ", ".join(finding["references"])}
    ),
}


def intake_findings_for_display(*, application: Application) -> list[str]:
    """Return the intake checks' findings in the reader's language (a single line when there is none)."""
    if application.intake_checked_at is None:
        return [_("Not checked yet.")]
    return [INTAKE_FINDINGS[f["code"]](f) for f in application.intake_flags] or [_("No problems found.")]
