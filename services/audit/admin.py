from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.common.admin import CappedCountPaginator, RecordAdmin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    """The audit log, for administrators to search: read-only, as the table is append-only."""

    list_display = ["created_at", "actor", "role", "department", "action", "reference", "document", "ip_address"]
    list_filter = ["action", "role", "department"]
    search_fields = ["=reference", "actor__email", "=ip_address"]
    search_help_text = _("An application reference, a staff member's email, or an address.")
    list_select_related = ["actor", "department", "document"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    fields = ["created_at", "actor", "role", "department", "action", "application", "reference", "document",
              "ip_address", "detail"]  # fmt: skip
    readonly_fields = fields
