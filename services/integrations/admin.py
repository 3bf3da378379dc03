"""Department systems for administrators: add one (its account and API token are made), new token, inbound calls."""

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.accounts.admin import RecordAdmin
from services.accounts.permissions import staff_scope

from .actions import department_system_create, department_system_new_token
from .models import DepartmentSystem, InboundCall


@admin.register(DepartmentSystem)
class DepartmentSystemAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "handles_applications", "is_active"]
    list_filter = ["handles_applications", "is_active", "department"]
    fields = ["name", "department", "handles_applications", "is_active", "public_id", "account", "inbound_secret"]
    readonly_fields = ["public_id", "account", "inbound_secret"]
    actions = ["new_token"]

    def has_module_permission(self, request):
        return staff_scope(request).is_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "department"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        system, token = department_system_create(
            name=obj.name, department=obj.department, handles_applications=obj.handles_applications
        )
        obj.pk, obj.public_id, obj.account = system.pk, system.public_id, system.account
        self.message_user(request, gettext("API token of %(name)s, shown this once: %(token)s")
                          % {"name": system.name, "token": token}, messages.WARNING)  # fmt: skip

    @admin.action(description=_("Give the selected systems a new API token (the old one stops working)"))
    def new_token(self, request, queryset):
        for system in queryset:
            token = department_system_new_token(system=system)
            self.message_user(request, gettext("API token of %(name)s, shown this once: %(token)s")
                              % {"name": system.name, "token": token}, messages.WARNING)  # fmt: skip


@admin.register(InboundCall)
class InboundCallAdmin(RecordAdmin):
    list_display = ["created_at", "system", "event_id", "action", "application", "status"]
    list_filter = ["system", "action"]
    list_select_related = ["system", "application"]
    search_fields = ["=event_id"]
    show_full_result_count = False
