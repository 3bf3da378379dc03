"""Writes of the credentials: issuing one on approval (superseding the holder's earlier one of that type),
revoking, suspending, and the departments' signing keys."""

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from services.accounts.selectors import profile_for_user
from services.catalogue.models import Department
from services.events.actions import event_record
from services.events.models import TYPE_PREFIX

from . import tokens
from .models import Credential, CredentialType, SigningKey, State
from .selectors import status_cache_key

SOURCE = "/credentials"


def signing_key_rotate(*, department: Department) -> SigningKey:
    """Give the department a new signing key; the old ones stop signing but stay published, so what they signed
    still verifies."""
    kid, private_jwk, public_jwk = tokens.new_key_pair()
    with transaction.atomic():
        SigningKey.objects.filter(department=department, is_active=True).update(is_active=False)
        return SigningKey.objects.create(department=department, kid=kid, private_jwk=private_jwk, public_jwk=public_jwk)


def _signing_key(department: Department) -> SigningKey:
    key = SigningKey.objects.filter(department=department, is_active=True).order_by("-id").first()
    return key or signing_key_rotate(department=department)


def issuer(department: Department) -> str:
    return f"{settings.PORTAL_URL.rstrip('/')}/departments/{department.code}"


def credential_token(*, credential: Credential, claims: dict) -> str:
    """Sign the credential with ``claims`` (all of them, or the ones its holder chose to show)."""
    payload = {
        "iss": issuer(credential.department),
        "jti": str(credential.public_id),
        "vct": credential.type.code,
        "nbf": int(credential.valid_from.timestamp()),
        "claims": claims,
    }
    if credential.valid_until:
        payload["exp"] = int(credential.valid_until.timestamp())
    return tokens.sign(payload=payload, private_jwk=_signing_key(credential.department).private_jwk)


def _event(credential: Credential, name: str) -> None:
    event_record(
        type=f"{TYPE_PREFIX}credential.{name}",
        source=SOURCE,
        subject=str(credential.public_id),
        data={
            "credential": str(credential.public_id),
            "type": credential.type.code,
            "department": credential.department.code,
            "status": credential.status,
            "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
        },
        department_id=credential.department_id,
    )


@transaction.atomic
def credential_issue(*, application) -> Credential | None:
    """Issue the credential of the application's service, if it has one, to its applicant (in the approval's
    transaction); the holder's earlier active one of that type is superseded (revoked)."""
    credential_type = CredentialType.objects.filter(service_id=application.service_id).select_related("department")
    credential_type = credential_type.first()
    if credential_type is None:
        return None
    now = timezone.now()
    earlier = Credential.objects.filter(holder_id=application.applicant_id, type=credential_type, status=State.ACTIVE)
    earlier = earlier.select_for_update().first()
    if earlier is not None:
        credential_revoke(credential=earlier)
    profile = profile_for_user(user=application.applicant)
    claims = {"holder_name": profile.legal_name, "reference": application.reference}
    claims |= {name: application.answers[name] for name in credential_type.claim_answers if name in application.answers}
    valid_until = now + dt.timedelta(days=credential_type.valid_days) if credential_type.valid_days else None
    credential = Credential(
        type=credential_type, holder_id=application.applicant_id, department=credential_type.department,
        application=application, claims=claims, valid_from=now, valid_until=valid_until, supersedes=earlier,
    )  # fmt: skip
    credential.token = credential_token(credential=credential, claims=claims)
    credential.save()
    _event(credential, "issued")
    return credential


@transaction.atomic
def credential_revoke(*, credential: Credential) -> Credential:
    """Revoke a credential: from the commit on every verification says so (its cached status is dropped then)."""
    if credential.status == State.REVOKED:
        return credential
    credential.status, credential.revoked_at = State.REVOKED, timezone.now()
    credential.save(update_fields=["status", "revoked_at", "updated_at"])
    _event(credential, "revoked")
    key = status_cache_key(credential.public_id)
    transaction.on_commit(lambda: cache.delete(key))
    return credential
