"""Writes of the audit log: every staff look at, and action on, an application or a document."""

import hashlib
import hmac
import re
from collections.abc import Iterable

from django.conf import settings

from services.accounts.permissions import SUPERVISOR, StaffScope, staff_scope
from services.common.http import client_address

from .models import AuditAction, AuditEntry, AuditRole

# A resident ID number (18 characters) anywhere in a detail, e.g. the words searched for in the queue.
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def audit_fingerprint(id_number: str) -> str:
    """Return the keyed fingerprint a resident ID number is logged as: the same number always gives the same
    fingerprint (an administrator finds who searched for it), and the number cannot be read back from it."""
    key = settings.SECRET_KEY.encode()
    return "id#" + hmac.new(key, id_number.upper().encode(), hashlib.sha256).hexdigest()[:16]


def _role_outside(scope: StaffScope) -> str:
    """The role of someone looking from outside the department, or across their queues."""
    if scope.is_admin:
        return AuditRole.ADMINISTRATOR
    return AuditRole.SUPERVISOR if SUPERVISOR in scope.roles.values() else AuditRole.CASEWORKER


def audit_record(
    *,
    action: AuditAction,
    request,
    applications: Iterable = (),
    document=None,
    detail: str = "",
    scope: StaffScope | None = None,
    department_id: int | None = None,
) -> list[AuditEntry]:
    """Write who (the request's user) looked at or acted on what, in which department and role, when and from which
    address: one entry per application (or one with none, for a search of the queue, or for what a department holds
    outside an application: ``department_id``). ``scope``: the user's staff scope, built for the request when not
    given."""
    scope = staff_scope(request) if scope is None else scope
    address = client_address(request) or None
    detail = ID_NUMBER.sub(lambda match: audit_fingerprint(match.group()), detail)

    def entry(application) -> AuditEntry:
        department = application.department_id if application else department_id
        if department in scope.roles:
            role = scope.roles[department]
        else:  # an administrator looking from outside the department, or a search across the user's queues
            department, role = None, _role_outside(scope)
        return AuditEntry(
            actor=request.user,
            role=role,
            department_id=department,
            action=action,
            application=application,
            reference=(application.reference or "") if application else "",
            document=document,
            ip_address=address,
            detail=detail[:500],
        )

    entries = [entry(application) for application in applications] or [entry(None)]
    if len(entries) == 1:  # a page's one entry in one statement: bulk_create's transaction adds a BEGIN and a COMMIT
        entries[0].save()
        return entries
    return AuditEntry.objects.bulk_create(entries)


def audit_record_agent_look(*, request, application) -> AuditEntry:
    """Write that an agent acting under a mandate opened the application (the person it is for sees it, by name)."""
    profile = getattr(request.user, "profile", None)
    return AuditEntry.objects.create(
        actor=request.user,
        role=AuditRole.AGENT,
        action=AuditAction.VIEW,
        application=application,
        reference=application.reference or "",
        ip_address=client_address(request) or None,
        detail=(getattr(profile, "legal_name", "") or request.user.email)[:500],
    )
