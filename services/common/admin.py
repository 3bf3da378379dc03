from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the system's actions write: nobody adds, changes or deletes them in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(ReadOnlyAdmin):
    """A record the system keeps (an upload's check, a message, the audit log), for administrators to read."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)
