"""Proactive rules in the admin, for the supervisors of the service's department: edit a draft, dry-run it against
every resident (how many it would offer its service to), then switch it on (a rule matching every resident only
with an explicit confirmation) or off again. Entitlements are the residents' and are not listed here."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.catalogue.models import Service
from services.common.errors import DomainError

from .actions import rule_activate, rule_deactivate
from .models import ProactiveRule, RuleStatus
from .selectors import rule_dry_run


@admin.register(ProactiveRule)
class ProactiveRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "service", "trigger", "event_type", "mode", "period", "status", "dry_run_link"]
    list_filter = ["status", "trigger", "mode", "service__department"]
    search_fields = ["name", "service__slug", "service__title_zh", "service__title_en"]
    readonly_fields = ["status", "activated_at", "activated_by"]
    list_select_related = ["service"]

    def _departments(self, request):
        return staff_scope(request).supervised()

    def get_queryset(self, request):
        departments = self._departments(request)
        rules = super().get_queryset(request)
        return rules if departments is None else rules.filter(service__department_id__in=list(departments))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        departments = self._departments(request)
        if db_field.name == "service" and departments is not None:
            kwargs["queryset"] = Service.objects.filter(department_id__in=list(departments))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return staff_scope(request).supervises_anywhere

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        scope = staff_scope(request)
        if obj is None:
            return scope.supervises_anywhere
        return scope.supervises(obj.service.department_id) and obj.status == RuleStatus.DRAFT  # switched off to edit

    def has_delete_permission(self, request, obj=None):
        return False  # its entitlements name it: switch it off instead

    @admin.display(description=_("dry run"))
    def dry_run_link(self, rule):
        return format_html('<a href="{}/dry-run/">{}</a>', rule.pk, gettext("Dry run"))

    def get_urls(self):
        dry_run = self.admin_site.admin_view(self.dry_run_view)
        return [path("<int:pk>/dry-run/", dry_run, name="proactive_proactiverule_dry_run"), *super().get_urls()]

    def dry_run_view(self, request, pk):
        """GET: how many residents the rule would offer its service to now; POST: switch it on or off."""
        rule = get_object_or_404(self.get_queryset(request).select_related("service"), pk=pk)
        if not staff_scope(request).supervises(rule.service.department_id):
            raise PermissionDenied
        if request.method == "POST":
            try:
                if request.POST.get("switch") == "off":
                    rule_deactivate(rule=rule)
                else:
                    rule_activate(rule=rule, by=request.user, everyone_confirmed=bool(request.POST.get("everyone")))
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, gettext("“%(rule)s” is now %(status)s.") % {
                    "rule": rule.name, "status": rule.get_status_display()})  # fmt: skip
                return redirect("admin:proactive_proactiverule_dry_run", pk=rule.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Dry run of “%(rule)s”") % {"rule": rule.name},
            "opts": self.model._meta,
            "rule": rule,
            "result": rule_dry_run(rule=rule),
            "active": rule.status == RuleStatus.ACTIVE,
        }
        return TemplateResponse(request, "admin/proactive/dry_run.html", context)
