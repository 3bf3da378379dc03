"""The services' rejection reasons, kept by administrators and by supervisors for their own departments."""

from django.contrib import admin

from services.accounts.permissions import staff_scope
from services.applications.models import RejectionReason
from services.catalogue.models import Service


@admin.register(RejectionReason)
class RejectionReasonAdmin(admin.ModelAdmin):
    """The reasons a service's applications may be rejected for: administrators, and supervisors for their own
    departments' services."""

    list_display = ["title_zh", "title_en", "service", "position", "is_active"]
    list_filter = ["is_active", "service__department"]
    list_select_related = ["service"]
    search_fields = ["title_zh", "title_en", "service__title_zh", "service__title_en"]
    ordering = ["service__slug", "position"]

    def get_queryset(self, request):
        reasons = super().get_queryset(request)
        supervised = staff_scope(request).supervised()
        return reasons if supervised is None else reasons.filter(service__department_id__in=supervised)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        supervised = staff_scope(request).supervised()
        if db_field.name == "service" and supervised is not None:
            kwargs["queryset"] = Service.objects.filter(department_id__in=supervised)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return staff_scope(request).supervises_anywhere

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)
