"""Mandates in the admin: administrators record and approve a guardianship or power of attorney backed by evidence
(for someone who cannot use the portal), and see every mandate."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from services.common.errors import DomainError

from .actions import mandate_approve
from .models import Mandate


@admin.action(description=_("Approve the selected mandates (evidence checked)"))
def approve_selected(modeladmin, request, queryset):
    for mandate in queryset.select_related("grantor", "grantee"):
        try:
            mandate_approve(mandate=mandate, by=request.user, grantee=mandate.grantee)
        except DomainError as exc:
            modeladmin.message_user(request, f"{mandate}: {exc}", messages.ERROR)


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["grantor", "grantee", "basis", "access", "valid_until", "status", "approved_by"]
    list_filter = ["status", "basis"]
    raw_id_fields = ["grantor", "grantee", "evidence"]
    fields = ["grantor", "grantee", "basis", "access", "all_services", "services", "departments", "valid_from",
              "valid_until", "evidence", "status", "approved_by", "revoked_at"]  # fmt: skip
    readonly_fields = ["status", "approved_by", "revoked_at"]
    actions = [approve_selected]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
