import datetime as dt
from collections.abc import Callable
from typing import Any

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core import signing
from django.db import router
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from services.common.statements import Statement

from .models import DataExport, DepartmentMembership, Device, ResidentProfile, User

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
    """Return the user's resident profile, an unsaved empty one if they have none yet; read once for the user
    (kept on it as ``user.profile`` keeps it), by a statement built once per process (through the ORM's ``profile``
    it was about a tenth of a one-call submission's CPU)."""
    related = User.profile.related
    if user.pk is not None and not related.is_cached(user):
        rows = _PROFILE.rows(user.pk)
        profile = (
            ResidentProfile.from_db(router.db_for_write(ResidentProfile), _PROFILE_FIELDS, rows[0]) if rows else None
        )
        related.set_cached_value(user, profile)
        if profile is not None:
            ResidentProfile.user.field.set_cached_value(profile, user)
    try:
        return user.profile
    except ResidentProfile.DoesNotExist:
        return ResidentProfile(user=user)


_PROFILE_FIELDS = [field.attname for field in ResidentProfile._meta.concrete_fields]
_PROFILE = Statement(
    ResidentProfile, lambda user_id: ResidentProfile.objects.filter(user_id=user_id).values_list(*_PROFILE_FIELDS)
)


def device_tokens_for_user(*, user: User) -> list[str]:
    """Return the push tokens of the phones the user has registered (``/api/v1/devices/``), oldest first; from the
    user's ``devices`` when a batch prefetched them (``prefetch_related_objects``)."""
    if "devices" in getattr(user, "_prefetched_objects_cache", {}):
        return [device.token for device in sorted(user.devices.all(), key=lambda device: device.pk)]
    return list(Device.objects.filter(user=user).order_by("pk").values_list("token", flat=True))


def staff_list_for_departments(*, department_ids) -> QuerySet[User]:
    """Return the active staff (caseworkers and supervisors) of these departments, by email."""
    return (
        User.objects.filter(is_active=True, is_staff=True, memberships__department_id__in=department_ids)
        .distinct()
        .order_by("email")
    )


def department_supervisors(*, department_id: int) -> list[User]:
    """Return the department's active supervisors (who are told of its overdue applications and bad ratings)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__department_id=department_id,
            memberships__role=DepartmentMembership.Role.SUPERVISOR,
        )
    )


def profile_facts(*, profile: ResidentProfile) -> dict[str, Any]:
    """Return the profile's facts a form can be filled in from, as answers; facts not given are left out."""
    facts = {name: value(profile) for name, (_type, value) in PROFILE_FACTS.items()}
    return {name: value for name, value in facts.items() if value is not None}


def staff_mfa_missing(*, request) -> str | None:
    """Return what a signed-in staff member still lacks to reach residents' data (the admin, documents on the web
    and in the API): "setup" (no authenticator app yet), "code" (this session, the browser's or the app token's, was
    not signed in with it), or None (nothing, or STAFF_REQUIRE_MFA is off). Worked out once per request."""
    cached = getattr(request, "_staff_mfa_missing", None)
    if cached is None or cached[0] != request.user.pk:  # asked several times per page
        cached = request._staff_mfa_missing = (request.user.pk, _staff_mfa_missing(request))
    return cached[1]


def _staff_mfa_missing(request) -> str | None:
    if not settings.STAFF_REQUIRE_MFA:
        return None
    if not totp_enabled(user_id=request.user.pk):
        return "setup"
    # In the API the session is the app token's (DRF's request.auth), not the browser's cookie session.
    token_session = getattr(request, "auth", None)
    session = token_session if isinstance(token_session, SessionBase) else request.session
    records = session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    return None if any(record.get("method") == "mfa" for record in records) else "code"


def data_export_list_for_owner(*, user) -> QuerySet:
    """Return the resident's data exports not yet expired, newest first."""
    return DataExport.objects.filter(user=user, expires_at__gt=timezone.now())


def data_export_get_for_owner(*, user, public_id):
    """Return the resident's own unexpired export or raise Http404 (another person's is not found)."""
    return get_object_or_404(data_export_list_for_owner(user=user), public_id=public_id)


def stalled_data_export_ids(*, older_than: dt.timedelta) -> list[int]:
    """Return the ids of data exports pending or running, untouched for ``older_than`` (their build was lost)."""
    unfinished = (DataExport.Status.PENDING, DataExport.Status.RUNNING)
    return list(
        DataExport.objects.filter(status__in=unfinished, updated_at__lt=timezone.now() - older_than)
        .order_by("updated_at")
        .values_list("pk", flat=True)
    )


STAFF_ENROLMENT_SALT = "services.accounts.staff-enrolment"


def staff_enrolment_user_id(*, token: str) -> int | None:
    """Return the staff member an enrolment link was issued to, or None if it is forged, expired or already used
    (an authenticator app is set up: a link sets up one, once)."""
    try:
        user_id = signing.loads(token, salt=STAFF_ENROLMENT_SALT, max_age=settings.STAFF_ENROLMENT_HOURS * 3600)
    except signing.BadSignature:
        return None
    return None if totp_enabled(user_id=user_id) else user_id


def totp_enabled(*, user_id: int) -> bool:
    """Whether the user has set up an authenticator app (TOTP)."""
    return Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP).exists()
