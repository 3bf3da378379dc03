from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.accounts.admin import RecordAdmin
from services.common.admin import CappedCountPaginator

from .actions import ID_NUMBER, audit_fingerprint
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

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if ID_NUMBER.fullmatch(term):  # searches for this number, which the log holds as its fingerprint
            return queryset.filter(detail__contains=audit_fingerprint(term)), False
        return super().get_search_results(request, queryset, search_term)
