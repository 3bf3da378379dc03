"""Reads of the department systems: who is calling, which departments work elsewhere, a system's application."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from services.applications.models import Application

from .models import DepartmentSystem, token_digest


def department_system_for_token(*, token: str) -> DepartmentSystem | None:
    """Return the active system holding this API token, with its account, or None."""
    return (
        DepartmentSystem.objects.select_related("account")
        .filter(token_digest=token_digest(token), is_active=True)
        .first()
    )


def department_system_get(*, public_id) -> DepartmentSystem | None:
    """Return the active system of that public id, with its account, or None."""
    return DepartmentSystem.objects.select_related("account").filter(public_id=public_id, is_active=True).first()


def departments_handled_elsewhere() -> QuerySet:
    """Return the ids of the departments whose applications their own systems handle (not the admin queue), as a
    query to filter by: the queue asks it inside its own queries, not in a round trip of its own."""
    return DepartmentSystem.objects.filter(handles_applications=True, is_active=True).values("department_id")


def application_get_for_system(*, system: DepartmentSystem, public_id) -> Application:
    """Return an application in the system's department, or raise Http404 (another department's is not found)."""
    applications = Application.objects.select_related("service", "department", "applicant__profile")
    return get_object_or_404(applications, public_id=public_id, department_id=system.department_id)
