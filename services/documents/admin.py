from django.contrib import admin

from services.accounts.admin import RecordAdmin

from .models import Document


@admin.register(Document)
class DocumentAdmin(RecordAdmin):
    """The virus-check status of every upload, for operators (superusers). Metadata only: no file link here;
    caseworkers open a document from the application it is attached to."""

    list_display = ["created_at", "original_name", "document_type", "owner", "size", "scan_status", "scanned_at"]
    list_filter = ["scan_status", "refusal", "document_type"]
    search_fields = ["owner__email", "sha256"]
    list_select_related = ["owner", "document_type"]
    show_full_result_count = False
    fields = [
        "public_id", "owner", "document_type", "original_name", "content_type", "size", "pages", "sha256",
        "expires_on", "scan_status", "refusal", "scanned_at", "scan_finding", "created_at",
    ]  # fmt: skip
    readonly_fields = fields
