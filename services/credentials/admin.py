"""Credential types and signing keys for administrators; issued credentials for their departments' staff, who may
revoke them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.accounts.permissions import staff_scope
from services.common.admin import ReadOnlyAdmin

from .actions import credential_revoke, signing_key_rotate
from .models import Credential, CredentialType, SigningKey


class AdministratorsOnly:
    def has_module_permission(self, request):
        return staff_scope(request).is_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(CredentialType)
class CredentialTypeAdmin(AdministratorsOnly, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "department", "service", "valid_days"]

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)


@admin.register(SigningKey)
class SigningKeyAdmin(AdministratorsOnly, ReadOnlyAdmin):
    list_display = ["kid", "department", "is_active", "created_at"]
    fields = readonly_fields = ["kid", "department", "is_active", "public_jwk", "created_at"]  # never the private key
    actions = ["rotate"]

    @admin.action(
        description=_("Rotate: a new key signs from now on (the old ones still verify)"), permissions=["view"]
    )
    def rotate(self, request, queryset):
        for department in {key.department for key in queryset.select_related("department")}:
            signing_key_rotate(department=department)


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Issued credentials of the staff member's departments (the holder's claims are personal data: audited views
    are the application's; here the list and revocation)."""

    list_display = ["type", "department", "valid_from", "valid_until", "status"]
    list_filter = ["status", "type"]
    list_select_related = ["type", "department"]
    search_fields = ["=public_id"]
    fields = readonly_fields = ["public_id", "type", "department", "application", "valid_from", "valid_until",
                                "status", "revoked_at", "supersedes"]  # fmt: skip
    actions = ["revoke"]

    def has_module_permission(self, request):
        return staff_scope(request).works_anywhere

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_queryset(self, request):
        departments = staff_scope(request).departments()
        queryset = super().get_queryset(request)
        return queryset if departments is None else queryset.filter(department_id__in=list(departments))

    @admin.action(description=_("Revoke the selected credentials (supervisors)"), permissions=["view"])
    def revoke(self, request, queryset):
        supervised = staff_scope(request).supervised()
        if supervised is not None:
            queryset = queryset.filter(department_id__in=list(supervised))
        for credential in queryset.select_related("type", "department"):
            credential_revoke(credential=credential)
