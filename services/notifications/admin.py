from django.contrib import admin

from services.accounts.admin import RecordAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
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
