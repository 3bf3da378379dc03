from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from services.common.admin import ReadOnlyAdmin

from .models import DepartmentMembership, ResidentProfile, User
from .permissions import staff_scope


class RecordAdmin(ReadOnlyAdmin):
    """A record the system keeps (an upload's check, a message, the audit log), for administrators to read."""

    def has_module_permission(self, request):
        return staff_scope(request).is_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)


class MembershipInline(admin.TabularInline):
    model = DepartmentMembership
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_staff", "is_active", "date_joined"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]


@admin.register(ResidentProfile)
class ResidentProfileAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "user", "district"]
    search_fields = ["legal_name", "user__email", "id_number"]
    list_select_related = ["user"]
