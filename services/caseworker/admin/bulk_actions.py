"""The queue's bulk actions besides the export: assign the selected applications, retry their routing; above
CASEWORKER_BULK_BACKGROUND_THRESHOLD applications, in the background with a progress page."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.accounts.selectors import staff_list_for_departments
from services.applications.actions import application_assign
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.errors import DomainError
from services.routing.actions import application_routing_retry

from ..actions import bulk_job_start
from ..models import BulkJob
from ..selectors import bulk_job_for_user, bulk_job_progress

REFRESH_SECONDS = 3  # the progress page reloads itself this often while the job runs, when asked to


class QueueActionForm(ActionForm):
    """Django's action form with a one-time token: a bulk action posted twice (a double click, a form sent again)
    starts one background job, not two."""

    bulk_token = forms.UUIDField(label="", widget=forms.HiddenInput, initial=uuid.uuid4, required=False)


def _form_token(request) -> uuid.UUID:
    """The token of the posted form, or a new one for a form without it (then nothing guards a second post)."""
    try:
        return uuid.UUID(request.POST.get("bulk_token", ""))
    except ValueError:
        return uuid.uuid4()


def _in_background(request, queryset, *, kind: BulkJob.Kind, assignee=None) -> HttpResponseRedirect | None:
    """Start the action as a background job when more applications are selected than a request should handle, and
    send the user to its progress page; None for a selection small enough to handle now."""
    if queryset.count() <= settings.CASEWORKER_BULK_BACKGROUND_THRESHOLD:
        return None
    job, created = bulk_job_start(
        by=request.user,
        kind=kind,
        applications=queryset,
        form_token=_form_token(request),
        language=get_language(),
        assignee=assignee,
    )
    if created and kind == BulkJob.Kind.ASSIGN:  # as the action in a request is (a routing retry is not audited)
        selected = queryset.select_related(None).only("pk", "department_id", "reference")
        audit_record(action=AuditAction.ASSIGN, request=request, applications=selected, detail=f"bulk {job.public_id}")
    return HttpResponseRedirect(reverse("admin:applications_application_bulk_job", args=[job.public_id]))


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Caseworker"), queryset=None)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


@admin.action(permissions=["assign"], description=_("Assign the selected applications"))
def assign_selected(model_admin, request, queryset):
    scope = staff_scope(request)
    supervised = scope.supervised()
    staff = staff_list_for_departments(department_ids=list(scope.department_ids if supervised is None else supervised))
    form = AssignForm(request.POST if "apply" in request.POST else None, staff=staff)
    if not form.is_valid():
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("Assign the selected applications"),
            "opts": model_admin.model._meta,
            "form": form,
            "applications": queryset.select_related("service", "assignee"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "bulk_token": _form_token(request),
        }
        return TemplateResponse(request, "admin/applications/application/assign.html", context)
    assignee = form.cleaned_data["assignee"]
    background = _in_background(request, queryset, kind=BulkJob.Kind.ASSIGN, assignee=assignee)
    if background:
        return background
    assigned = []
    for application in queryset:
        try:
            application_assign(application=application, assignee=assignee, by=request.user)
        except DomainError as exc:
            messages.error(request, f"{application.reference}: {exc}")
        else:
            assigned.append(application)
    audit_record(action=AuditAction.ASSIGN, request=request, applications=assigned)
    messages.success(
        request,
        gettext("%(count)d applications assigned to %(person)s.") % {"count": len(assigned), "person": assignee},
    )
    return None


@admin.action(permissions=["retry_routing"], description=_("Retry routing of the selected applications"))
def retry_routing(model_admin, request, queryset):
    failed = queryset.filter(routing_failed_at__isnull=False)
    background = _in_background(request, failed, kind=BulkJob.Kind.RETRY_ROUTING)
    if background:
        return background
    retried, scope = 0, staff_scope(request)
    for application in failed:
        try:
            application_routing_retry(application=application, by=request.user, scope=scope)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            retried += 1
    messages.success(request, gettext("Routing retried for %(count)d applications.") % {"count": retried})
    return None


def bulk_job_view(model_admin, request, public_id):
    """Show a bulk action's progress (counts, a bar, each item's result) to the one who started it, with a link to
    reload it and one to have it reload itself while the job runs (?refresh=auto: a timing the user chose)."""
    job = bulk_job_for_user(public_id=public_id, user=request.user)
    if job is None:
        raise Http404
    progress = bulk_job_progress(job=job)
    running = job.status != BulkJob.Status.DONE
    context = {
        **model_admin.admin_site.each_context(request),
        **progress,
        "title": job.get_kind_display(),
        "opts": model_admin.model._meta,
        "job": job,
        "running": running,
        "auto_refresh": running and request.GET.get("refresh") == "auto",
        "refresh_seconds": REFRESH_SECONDS,
        "not_listed": job.total - len(progress["items"]),
    }
    return TemplateResponse(request, "admin/applications/application/bulk_job.html", context)
