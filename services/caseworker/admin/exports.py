"""The queue's CSV exports: the applications the queue's filters select, or those ticked."""

import csv

from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.audit.actions import audit_record
from services.audit.models import AuditAction

from ..selectors import application_export_table

EXPORT_MAX_ROWS = 10_000


@admin.action(description=_("Export the selected applications (CSV)"))
def export_selected(model_admin, request, queryset):
    return export_response(request, queryset)


def export_view(model_admin, request):
    """Export every application the queue's current filters and search select (CSV)."""
    if not model_admin.has_view_permission(request):
        raise Http404
    return export_response(request, model_admin.get_changelist_instance(request).get_queryset(request))


def export_response(request, queryset):
    if queryset[: EXPORT_MAX_ROWS + 1].count() > EXPORT_MAX_ROWS:  # counted on the index, before any row is read
        messages.error(
            request,
            gettext("More than %(count)d applications: narrow the filters to export them.")
            % {"count": EXPORT_MAX_ROWS},
        )
        return HttpResponseRedirect(reverse("admin:applications_application_changelist"))
    applications = list(queryset.select_related("service", "department", "team", "assignee", "applicant__profile"))
    audit_record(action=AuditAction.EXPORT, request=request, applications=applications)
    header, rows = application_export_table(
        applications=applications, personal_department_ids=staff_scope(request).supervised()
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # a byte-order mark, so that spreadsheet programs read the Chinese as UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows([[_spreadsheet_safe(value) for value in row] for row in rows])
    return response


def _spreadsheet_safe(value: str) -> str:
    """Keep a cell from being run as a formula when the export is opened in a spreadsheet (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
