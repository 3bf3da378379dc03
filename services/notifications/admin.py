from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Every message with its delivery status, for operators (superusers): messages carry personal data."""

    list_display = ["created_at", "event", "channel", "recipient", "status", "attempts", "sent_at", "read_at"]
    list_filter = ["status", "channel", "event"]
    search_fields = ["recipient__email", "event_key"]
    list_select_related = ["recipient"]
    show_full_result_count = False
    fields = [
        "public_id", "recipient", "event", "event_key", "channel", "status", "attempts", "last_error",
        "claimed_at", "sent_at", "read_at", "payload", "created_at",
    ]  # fmt: skip
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
