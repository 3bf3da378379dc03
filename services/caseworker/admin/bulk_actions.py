"""The queue's bulk actions besides the export: assign the selected applications, retry their routing."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.accounts.selectors import staff_list_for_departments
from services.applications.actions import application_assign
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.errors import DomainError
from services.routing.actions import application_routing_retry


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
        }
        return TemplateResponse(request, "admin/applications/application/assign.html", context)
    assigned = []
    for application in queryset:
        try:
            application_assign(application=application, assignee=form.cleaned_data["assignee"], by=request.user)
        except DomainError as exc:
            messages.error(request, f"{application.reference}: {exc}")
        else:
            assigned.append(application)
    audit_record(action=AuditAction.ASSIGN, request=request, applications=assigned)
    messages.success(
        request,
        gettext("%(count)d applications assigned to %(person)s.")
        % {"count": len(assigned), "person": form.cleaned_data["assignee"]},
    )
    return None


@admin.action(permissions=["retry_routing"], description=_("Retry routing of the selected applications"))
def retry_routing(model_admin, request, queryset):
    retried, scope = 0, staff_scope(request)
    for application in queryset.filter(routing_failed_at__isnull=False):
        try:
            application_routing_retry(application=application, by=request.user, scope=scope)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            retried += 1
    messages.success(request, gettext("Routing retried for %(count)d applications.") % {"count": retried})
