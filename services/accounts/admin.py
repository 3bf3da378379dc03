from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services.common.admin import ReadOnlyAdmin
from services.common.errors import NotAllowed

from .actions import staff_enrolment_token
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
    actions = ["issue_enrolment_link"]

    # Supervisors see, read-only, the staff of the departments they supervise, to issue their enrolment links.
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm("accounts.view_user"):
            return queryset
        supervised = staff_scope(request).supervised_ids
        return queryset.filter(is_staff=True, memberships__department_id__in=supervised).distinct()

    def has_module_permission(self, request):
        return super().has_module_permission(request) or staff_scope(request).supervises_anywhere

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        if not staff_scope(request).supervises_anywhere:
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    @admin.action(description=_("Issue an enrolment link for the authenticator app"))
    def issue_enrolment_link(self, request, queryset):
        """Show a one-time link for each selected staff member to set up their authenticator app: hand it over in
        person or by a channel of your own, never to someone else."""
        for user in queryset:
            try:
                token = staff_enrolment_token(user=user, by=request.user)
            except NotAllowed as exc:
                self.message_user(request, f"{user.email}: {exc}", messages.ERROR)
                continue
            link = request.build_absolute_uri(reverse("accounts:staff-enrol", args=[token]))
            text = gettext("Enrolment link for %(email)s (valid %(hours)d hours, once): %(link)s")
            self.message_user(
                request, text % {"email": user.email, "hours": settings.STAFF_ENROLMENT_HOURS, "link": link}
            )


@admin.register(ResidentProfile)
class ResidentProfileAdmin(admin.ModelAdmin):
    list_display = ["legal_name", "user", "district"]
    search_fields = ["legal_name", "user__email", "id_number"]
    list_select_related = ["user"]
