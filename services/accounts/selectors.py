from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import QuerySet

from .models import DepartmentMembership, ResidentProfile, User

# The profile facts a form question may be filled in from (``x-prefill``): name → (field type, value as an answer).
PROFILE_FACTS: dict[str, tuple[str, Callable[[ResidentProfile], Any]]] = {
    "legal_name": ("text", lambda p: p.legal_name or None),
    "id_number": ("resident_id", lambda p: p.id_number or None),
    "date_of_birth": ("date", lambda p: p.date_of_birth.isoformat() if p.date_of_birth else None),
    "phone": ("phone", lambda p: p.phone or None),
    "district": ("choice", lambda p: p.district or None),
    "address": (
        "address",
        lambda p: {"district": p.district, "street": p.street_address} if p.district and p.street_address else None,
    ),
}


def profile_for_user(*, user: User) -> ResidentProfile:
    """Return the user's resident profile, an unsaved empty one if they have none yet."""
    try:
        return user.profile
    except ResidentProfile.DoesNotExist:
        return ResidentProfile(user=user)


def department_ids_for_staff(*, user: User, roles: tuple[str, ...] | None = None) -> list[int]:
    """Return the ids of the departments whose applications this staff member works on."""
    memberships: QuerySet = DepartmentMembership.objects.filter(user=user)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return list(memberships.values_list("department_id", flat=True))


def is_supervisor_of(*, user: User, department_id: int) -> bool:
    """Return whether the user supervises the department."""
    return DepartmentMembership.objects.filter(
        user=user, department_id=department_id, role=DepartmentMembership.Role.SUPERVISOR
    ).exists()


def profile_facts(*, profile: ResidentProfile) -> dict[str, Any]:
    """Return the profile's facts a form can be filled in from, as answers; facts not given are left out."""
    facts = {name: value(profile) for name, (_type, value) in PROFILE_FACTS.items()}
    return {name: value for name, value in facts.items() if value is not None}


def staff_mfa_missing(*, request) -> str | None:
    """Return what a signed-in staff member still lacks to open the admin: "setup" (no authenticator app yet),
    "code" (this session was not signed in with it), or None (nothing, or STAFF_REQUIRE_MFA is off)."""
    if not settings.STAFF_REQUIRE_MFA:
        return None
    if not Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        return "setup"
    records = get_authentication_records(request, request.user)
    return None if any(record.get("method") == "mfa" for record in records) else "code"
