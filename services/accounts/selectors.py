import datetime as dt
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


def staff_list_for_departments(*, department_ids) -> QuerySet[User]:
    """Return the active staff (caseworkers and supervisors) of these departments, by email."""
    return (
        User.objects.filter(is_active=True, is_staff=True, memberships__department_id__in=department_ids)
        .distinct()
        .order_by("email")
    )


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


def data_export_content(*, user) -> tuple[dict, list]:
    """Return what a data export holds: the resident's data as JSON-ready values, and their documents."""
    from services.applications.models import Application
    from services.documents.models import Document

    profile = ResidentProfile.objects.filter(user=user).first()
    profile_data = {}
    if profile is not None:
        fields = ["legal_name", "id_number", "date_of_birth", "phone", "district", "street_address"]
        fields += ["preferred_language", "notify_by_email", "notify_by_sms", "elder_mode"]
        profile_data = {name: getattr(profile, name) for name in fields}
    applications = (
        Application.objects.filter(applicant=user).select_related("service").prefetch_related("events", "ratings")
    )
    documents = list(Document.objects.filter(owner=user).select_related("document_type"))
    content = {
        "account": {"email": user.email, "date_joined": user.date_joined},
        "profile": profile_data,
        "applications": [
            {
                "reference": application.reference,
                "service": application.service.title_zh,
                "service_en": application.service.title_en,
                "status": application.status,
                "answers": application.answers,
                "submitted_at": application.submitted_at,
                "decided_at": application.decided_at,
                "decision_reason": application.decision_reason,
                "timeline": [
                    {"at": event.created_at, "status": event.to_status, "message": event.message}
                    for event in application.events.all()
                    if event.visible_to_resident
                ],
                "ratings": [
                    {
                        "step": rating.step,
                        "speed": rating.speed,
                        "clarity": rating.clarity,
                        "attitude": rating.attitude,
                        "comment": rating.comment,
                    }
                    for rating in application.ratings.all()
                ],
            }
            for application in applications
        ],
        "documents": [
            {
                "name": document.original_name,
                "type": document.document_type.code,
                "sha256": document.sha256,
                "uploaded_at": document.created_at,
                "expires_on": document.expires_on,
            }
            for document in documents
        ],
    }
    return content, documents


def data_export_list_for_owner(*, user) -> QuerySet:
    """Return the resident's data exports not yet expired, newest first."""
    from django.utils import timezone

    from .models import DataExport

    return DataExport.objects.filter(user=user, expires_at__gt=timezone.now())


def data_export_get_for_owner(*, user, public_id):
    """Return the resident's own unexpired export or raise Http404 (another person's is not found)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(data_export_list_for_owner(user=user), public_id=public_id)


def stalled_data_export_ids(*, older_than: dt.timedelta) -> list[int]:
    """Return the ids of data exports pending or running, untouched for ``older_than`` (their build was lost)."""
    from django.utils import timezone

    from .models import DataExport

    unfinished = (DataExport.Status.PENDING, DataExport.Status.RUNNING)
    return list(
        DataExport.objects.filter(status__in=unfinished, updated_at__lt=timezone.now() - older_than)
        .order_by("updated_at")
        .values_list("pk", flat=True)
    )
