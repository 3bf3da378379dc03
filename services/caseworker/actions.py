"""Writes of the caseworker workspace: the audit log of every staff look and action."""

from collections.abc import Iterable

from django.conf import settings

from services.accounts.models import DepartmentMembership
from services.applications.models import Application
from services.documents.models import Document

from .models import AuditAction, AuditEntry, AuditRole


def _client_address(request) -> str | None:
    # Behind the TLS proxy (DJANGO_BEHIND_TLS_PROXY) the client is the address the proxy appended last.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and forwarded:
        return forwarded.rsplit(",", 1)[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor,
    action: AuditAction,
    request,
    applications: Iterable[Application] = (),
    document: Document | None = None,
    detail: str = "",
    roles: dict[int, str] | None = None,
) -> list[AuditEntry]:
    """Write who looked at or acted on what, in which department and role, when and from which address: one entry
    per application (or one with none, for a search of the queue). ``roles``: the actor's role per department,
    when the caller has looked them up already."""
    if roles is None:
        roles = dict(DepartmentMembership.objects.filter(user=actor).values_list("department_id", "role"))
    address = _client_address(request)

    def entry(application: Application | None) -> AuditEntry:
        department_id = application.department_id if application else None
        if department_id in roles:
            role = roles[department_id]
        else:  # an administrator looking from outside the department, or a search across the user's queues
            department_id = None
            role = (
                AuditRole.ADMINISTRATOR
                if actor.is_superuser
                else AuditRole.SUPERVISOR
                if AuditRole.SUPERVISOR in roles.values()
                else AuditRole.CASEWORKER
            )
        return AuditEntry(
            actor=actor,
            role=role,
            department_id=department_id,
            action=action,
            application=application,
            reference=(application.reference or "") if application else "",
            document=document,
            ip_address=address,
            detail=detail[:500],
        )

    return AuditEntry.objects.bulk_create([entry(application) for application in applications] or [entry(None)])
