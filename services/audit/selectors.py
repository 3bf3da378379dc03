"""Reads of the audit log: the resident's view of who in the administration looked at their application."""

from django.db.models import QuerySet

from .models import AuditAction, AuditEntry


def audit_list_for_resident(*, application) -> QuerySet[AuditEntry]:
    """Return who in the administration looked at or acted on the application, newest first: department, role,
    what and when, never the person (the resident's data tracker)."""
    return (
        AuditEntry.objects.filter(application=application).exclude(action=AuditAction.LIST).select_related("department")
    )
