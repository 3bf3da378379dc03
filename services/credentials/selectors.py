"""Reads of the credentials: a holder's, the published keys, and the verification of a scanned token."""

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from joserfc.jwk import ECKey

from services.common.i18n import localized

from . import tokens
from .models import Credential, CredentialType, SigningKey, State, state_at


class Verdict(models.TextChoices):
    VALID = "valid", _("Valid")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")
    FORGED = "forged", _("Not genuine: not issued by a department of this portal, or altered")


@dataclass(frozen=True)
class Named:
    """A credential type or an issuing department as a verifier sees it."""

    code: str
    name_zh: str
    name_en: str

    @property
    def name(self) -> str:
        return localized(self, "name")


@dataclass(frozen=True)
class CredentialStatus:
    """What a verifier learns of a credential besides the claims its token shows: its type, issuer, validity and
    status. Nothing personal (no holder, no claims), so the shared cache may keep it."""

    department_id: int
    type: Named
    department: Named
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    status: str

    def state(self, now: dt.datetime) -> State:
        return state_at(status=self.status, valid_until=self.valid_until, now=now)


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    credential: CredentialStatus | None = None
    claims: dict = field(default_factory=dict)  # only what the token shows: what its holder chose to disclose


def jwks() -> dict:
    """Return every department's public signing keys as a JWK Set (old ones too: what they signed still verifies)."""
    return {"keys": list(SigningKey.objects.order_by("id").values_list("public_jwk", flat=True))}


# The departments' public keys this process has read, by key id: (department id, key), each parsed once (parsing
# costs more than checking a signature). A key is never changed or deleted (a rotation adds one), so a key id not
# here is read once, by itself, when a token first names it.
_public_keys: dict[str, tuple[int, ECKey]] = {}


def _public_key(kid: str) -> tuple[int | None, ECKey | None]:
    """Return the signing department's id and the key of ``kid``, or (None, None) if no department has it."""
    if kid not in _public_keys:
        row = SigningKey.objects.filter(kid=kid).values_list("department_id", "public_jwk").first()
        if row is None:
            return None, None
        _public_keys[kid] = (row[0], tokens.public_key(jwk=row[1]))
    return _public_keys[kid]


def status_cache_key(public_id) -> str:
    """Return the cache key of a credential's status (the revocation drops it)."""
    return f"credential-status:v1:{public_id}"


_STATUS_COLUMNS = ("department_id", "type__code", "type__name_zh", "type__name_en", "department__code",
                   "department__name_zh", "department__name_en", "valid_from", "valid_until", "status")  # fmt: skip


def credential_status(*, public_id: str) -> CredentialStatus | None:
    """Return the status of the credential ``public_id`` names, or None if we issued none: from the cache (kept
    CREDENTIAL_STATUS_CACHE_SECONDS, dropped when the credential is revoked) or by one query on its unique id."""
    seconds = settings.CREDENTIAL_STATUS_CACHE_SECONDS
    status = cache.get(status_cache_key(public_id)) if seconds else None
    if status is not None:
        return status
    try:
        row = Credential.objects.values_list(*_STATUS_COLUMNS).get(public_id=public_id)
    except Credential.DoesNotExist:
        return None
    department_id, type_code, type_zh, type_en, code, name_zh, name_en, valid_from, valid_until, stored = row
    status = CredentialStatus(department_id, Named(type_code, type_zh, type_en), Named(code, name_zh, name_en),
                              valid_from, valid_until, stored)  # fmt: skip
    if seconds:
        cache.set(status_cache_key(public_id), status, seconds)
    return status


def credential_verify(*, token: str) -> Verification:
    """Check a scanned credential token: signed by its department's key and naming a credential we issued
    (else forged), then revoked, suspended, expired or valid as the credential is now (its status read at every
    check, or kept at most CREDENTIAL_STATUS_CACHE_SECONDS and dropped when it is revoked)."""
    checked = tokens.signed_payload(token=token, key_for=lambda kid: _public_key(kid)[1])
    if checked is None:
        return Verification(Verdict.FORGED)
    kid, payload = checked
    public_id = _uuid(payload.get("jti"))
    credential = credential_status(public_id=public_id) if public_id else None
    signer, _key = _public_key(kid)
    if credential is None or signer != credential.department_id or payload.get("vct") != credential.type.code:
        return Verification(Verdict.FORGED)
    now = timezone.now()
    state = credential.state(now)
    expired = "exp" in payload and payload["exp"] <= now.timestamp()
    verdict = {State.REVOKED: Verdict.REVOKED, State.SUSPENDED: Verdict.SUSPENDED}.get(state)
    if verdict is None:
        verdict = Verdict.EXPIRED if state == State.EXPIRED or expired else Verdict.VALID
    claims = payload.get("claims") if isinstance(payload.get("claims"), dict) else {}
    return Verification(verdict, credential, claims)


def _uuid(value):
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        return None


def credential_list_for_holder(*, user) -> models.QuerySet[Credential]:
    """Return the resident's credentials, newest first, with their types and issuers."""
    return Credential.objects.filter(holder=user).select_related("type", "department")


def credential_get_for_holder(*, user, public_id) -> Credential:
    """Return the resident's own credential or raise Http404 (another person's is not found)."""
    return get_object_or_404(credential_list_for_holder(user=user), public_id=public_id)


def credential_usable(*, holder, public_id, type_code: str) -> Credential | None:
    """Return the holder's own credential of that type if it is valid now, else None (another person's included)."""
    credential = credential_list_for_holder(user=holder).filter(public_id=_uuid(public_id), type__code=type_code)
    credential = credential.first()
    return credential if credential is not None and credential.state() == State.ACTIVE else None


def credential_valid_for_type(*, holder, type_code: str) -> Credential | None:
    """Return the holder's newest valid credential of that type, if any."""
    for credential in credential_list_for_holder(user=holder).filter(type__code=type_code, status=State.ACTIVE):
        if credential.state() == State.ACTIVE:
            return credential
    return None


def credential_types_held(*, holder) -> set[str]:
    """Return the codes of the types of which the holder has a valid credential now."""
    active = credential_list_for_holder(user=holder).filter(status=State.ACTIVE)
    return {credential.type.code for credential in active if credential.state() == State.ACTIVE}


def credential_type_names() -> dict[str, str]:
    """Return every credential type's name in the current language, by code."""
    return {credential_type.code: credential_type.name for credential_type in CredentialType.objects.all()}


def credential_facts(*, holder, rules: list) -> dict:
    """Return what eligibility_check needs for a service's credential rules (nothing, and no query, without any):
    the types ``holder`` holds valid (None for an anonymous visitor) and every type's name."""
    if not any(isinstance(rule, dict) and rule.get("kind") == "credential" for rule in rules):
        return {}
    held = credential_types_held(holder=holder) if getattr(holder, "is_authenticated", False) else None
    return {"credentials": held, "credential_names": credential_type_names()}
