"""The queue's CSV exports: the applications the queue's filters select, or those ticked."""

from django.contrib import admin, messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.errors import DomainError

from ..exports import application_export_csv, application_export_list


@admin.action(description=_("Export the selected applications (CSV)"))
def export_selected(model_admin, request, queryset):
    return export_response(request, queryset)


def export_view(model_admin, request):
    """Export every application the queue's current filters and search select (CSV)."""
    if not model_admin.has_view_permission(request):
        raise Http404
    return export_response(request, model_admin.get_changelist_instance(request).get_queryset(request))


def export_response(request, queryset):
    """The export of ``queryset`` as a CSV download, written to the audit log; back to the queue if refused."""
    try:
        applications = application_export_list(applications=queryset)
    except DomainError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(reverse("admin:applications_application_changelist"))
    audit_record(action=AuditAction.EXPORT, request=request, applications=applications)
    content = application_export_csv(applications=applications, scope=staff_scope(request))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-{timezone.localtime():%Y%m%d-%H%M}.csv"'
    response["Cache-Control"] = "no-store"
    return response
