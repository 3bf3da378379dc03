"""Writes of identity: sign in (or link) with a verified identity, which fills and locks the profile's facts."""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.models import ResidentProfile, User
from services.accounts.validators import normalize_resident_id, resident_id_birth_date, validate_resident_id
from services.common.errors import NotAllowed
from services.notifications.actions import notify
from services.notifications.models import Event

from .hooks import identity_verified
from .models import IdentityLink
from .oidc import LoginRefused
from .providers import Provider

PLACEHOLDER_DOMAIN = "identity.invalid"  # the address of an account made by a provider that gave no free email


def _verified_attributes(claims: dict) -> dict:
    """Return what the provider vouched for that the portal uses; an ID number it cannot check is left out."""
    attributes = {name: claims[name] for name in ("name", "birthdate", "family") if claims.get(name)}
    id_number = normalize_resident_id(claims.get("resident_id") or "")
    try:
        validate_resident_id(id_number)
    except ValidationError:
        return attributes
    attributes["resident_id"] = id_number
    return attributes


def _account_create(claims: dict) -> User:
    email = (claims.get("email") or "").lower()
    if not (email and claims.get("email_verified") is True) or User.objects.filter(email__iexact=email).exists():
        # An email account of that address is never taken over silently: its owner links it from inside.
        email = f"id-{uuid.uuid4().hex}@{PLACEHOLDER_DOMAIN}"
    return User.objects.create_user(email=email)


def _relative_made(attributes: dict) -> User | None:
    """Return the account a relative's verified sign-in made for this person (their ID number, no link yet)."""
    if not attributes.get("resident_id"):
        return None
    profile = (
        ResidentProfile.objects.filter(id_number=attributes["resident_id"], identity_verified_at__isnull=False)
        .filter(user__identity_links__isnull=True)
        .select_related("user")
        .first()
    )
    return profile.user if profile else None


def identity_relative_account(*, id_number: str, name: str) -> User | None:
    """Return the account of a person a provider vouched for through a relative's sign-in (a parent's minor child):
    the one verified with that ID number, or a new one, filled and locked with the name and ID number."""
    attributes = _verified_attributes({"name": name, "resident_id": id_number})
    if "resident_id" not in attributes:
        return None
    held = ResidentProfile.objects.filter(id_number=id_number, identity_verified_at__isnull=False).first()
    if held is not None:
        return held.user
    user = User.objects.create_user(email=f"id-{uuid.uuid4().hex}@{PLACEHOLDER_DOMAIN}")
    _profile_verify(user=user, attributes=attributes)
    return user


def _profile_verify(*, user: User, attributes: dict) -> None:
    """Fill the profile with the verified facts and lock them; take the ID number over from unverified claims."""
    profile, _created = ResidentProfile.objects.select_for_update().get_or_create(user=user)
    id_number = attributes.get("resident_id")
    if id_number:
        try:
            _id_number_take(profile=profile, id_number=id_number)
        except NotAllowed:
            raise LoginRefused(
                _("Another account holds this verified identity's resident ID number. Please contact the service desk.")
            ) from None
    profile.legal_name = attributes.get("name", profile.legal_name)
    profile.identity_verified_at = timezone.now()
    profile.save()


def _id_number_take(*, profile: ResidentProfile, id_number: str) -> None:
    """Make ``id_number`` the profile's alone: removed from every unverified profile claiming it, whose owners are
    told in words that say nothing of who holds it now (nor is the new holder told who else had typed it); raise
    NotAllowed when a verified profile already holds it. The caller locks the profile as verified and saves it."""
    others = ResidentProfile.objects.select_for_update().filter(id_number=id_number).exclude(pk=profile.pk)
    if any(other.is_identity_verified for other in others):
        raise NotAllowed(_("A verified identity already holds this resident ID number."))
    released = [other.user for other in others.select_related("user")]
    others.update(id_number=None)
    profile.id_number, profile.date_of_birth = id_number, resident_id_birth_date(id_number)
    key = f"{profile.pk}:{timezone.now().timestamp()}"
    if released:
        notify(event=Event.ID_NUMBER_RELEASED, event_key=f"id-number-released:{key}", recipients=released,
               payload={"path": "/profile/"})  # fmt: skip
    notify(event=Event.ID_NUMBER_CONFIRMED, event_key=f"id-number-confirmed:{key}", recipients=[profile.user],
           payload={"path": "/profile/"})  # fmt: skip


@transaction.atomic
def identity_claim_confirm(*, claim: ResidentProfile) -> ResidentProfile:
    """Settle a claimed ID number for ``claim``'s account, as staff who saw the evidence (identity.admin): the number
    becomes that account's alone, locked as verified; the other claims are released and everyone told."""
    profile = ResidentProfile.objects.select_for_update().get(pk=claim.pk)
    if profile.is_identity_verified or not profile.id_number:
        raise NotAllowed(_("This profile holds no unverified resident ID number to confirm."))
    _id_number_take(profile=profile, id_number=profile.id_number)
    profile.identity_verified_at = timezone.now()
    profile.save(update_fields=["id_number", "date_of_birth", "identity_verified_at", "updated_at"])
    return profile


@transaction.atomic
def identity_login(*, provider: Provider, claims: dict, user: User | None = None) -> User:
    """Return the account of the person the provider vouched for: the one linked to them, ``user`` when a signed-in
    account links its identity, or a new account; record what was verified and fill the profile with it."""
    link = (
        IdentityLink.objects.select_for_update()
        .select_related("user")
        .filter(issuer=provider.issuer, subject=claims["sub"])
        .first()
    )
    if user is not None and link is not None and link.user_id != user.pk:
        raise LoginRefused(_("This identity is already linked to another account."))
    attributes = _verified_attributes(claims)
    if user is None:
        user = link.user if link is not None else (_relative_made(attributes) or _account_create(claims))
    if user.is_staff or not user.is_active:
        raise LoginRefused(_("Staff accounts sign in with their password and authenticator app."))
    IdentityLink.objects.update_or_create(
        issuer=provider.issuer,
        subject=claims["sub"],
        defaults={
            "user": user,
            "assurance": provider.assurance,
            "verified_attributes": attributes,
            "verified_at": timezone.now(),
        },
    )
    _profile_verify(user=user, attributes=attributes)
    identity_verified(user=user, attributes=attributes)
    return user
