"""The caseworker's CSV export of applications: the applicant's personal facts only for someone who may take them out
of the workspace, and every cell safe to open in a spreadsheet."""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from services.accounts.permissions import StaffScope
from services.accounts.selectors import profile_for_user
from services.applications.models import Application
from services.common.errors import ValidationFailed
from services.common.spreadsheets import csv_bytes

EXPORT_MAX_ROWS = 10_000


def application_export_list(*, applications: QuerySet[Application]) -> list[Application]:
    """Return the applications to export with what the export reads of them; refuse more than EXPORT_MAX_ROWS."""
    if applications[: EXPORT_MAX_ROWS + 1].count() > EXPORT_MAX_ROWS:  # counted on the index, before any row is read
        raise ValidationFailed(
            _("More than %(count)d applications: narrow the filters to export them.") % {"count": EXPORT_MAX_ROWS}
        )
    return list(applications.select_related("service", "department", "team", "assignee", "applicant__profile"))


def application_export_table(
    *, applications: list[Application], scope: StaffScope
) -> tuple[list[str], list[list[str]]]:
    """Return the header and rows of an export for a staff ``scope``. The applicant's personal facts are columns only
    for someone who may take them out of the workspace (a supervisor, an administrator), and are left empty in rows
    of departments they do not supervise."""
    header = [
        _("Reference"), _("Service"), _("Department"), _("Team queue"), _("Status"), _("Priority"),
        _("Assigned caseworker"), _("Submitted"), _("Due date"), _("Decided"), _("Reason for the decision"),
    ]  # fmt: skip
    personal = scope.supervises_anywhere
    if personal:
        header += [_("Legal name"), _("Resident ID number"), _("Date of birth"), _("Mobile phone"), _("Email")]

    def when(value) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    rows = []
    for application in applications:
        row = [
            application.reference or "",
            application.service.title,
            str(application.department or ""),
            str(application.team.name if application.team else ""),
            application.get_status_display(),
            application.get_priority_display(),
            application.assignee.email if application.assignee else "",
            when(application.submitted_at),
            application.due_date.isoformat() if application.due_date else "",
            when(application.decided_at),
            application.decision_reason,
        ]
        if personal:
            profile = profile_for_user(user=application.applicant)
            shown = scope.supervises(application.department_id)
            facts = [profile.legal_name, profile.id_number or "", str(profile.date_of_birth or ""), profile.phone,
                     application.applicant.email]  # fmt: skip
            row += facts if shown else [""] * len(facts)
        rows.append(row)
    return header, rows


def application_export_csv(*, applications: list[Application], scope: StaffScope) -> bytes:
    """Return the export for a staff ``scope`` as UTF-8 CSV, with no cell a spreadsheet would run as a formula."""
    header, rows = application_export_table(applications=applications, scope=scope)
    return csv_bytes(header=header, rows=rows)
