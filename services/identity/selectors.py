"""Reads of identity: an account's links and its assurance level."""

from http import HTTPStatus

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from services.accounts.models import ResidentProfile, User
from services.common.errors import DomainError

from .models import ASSURANCE_ORDER, Assurance, IdentityLink, IdNumberClaim


def identity_links_for_user(*, user: User) -> list[IdentityLink]:
    """Return the identities linked to the account, most recently verified first."""
    return list(IdentityLink.objects.filter(user=user).order_by("-verified_at"))


def assurance_for_user(*, user: User) -> str:
    """Return the account's assurance level: the highest of its linked identities, an email account without one."""
    if not user.is_authenticated:
        return ""
    levels = IdentityLink.objects.filter(user=user).values_list("assurance", flat=True)
    return max(levels, key=ASSURANCE_ORDER.index, default=Assurance.EMAIL)


def assurance_meets(*, level: str, needed: str) -> bool:
    """Return whether ``level`` is at least ``needed`` (no level, i.e. not signed in, meets nothing)."""
    return bool(level) and ASSURANCE_ORDER.index(level) >= ASSURANCE_ORDER.index(needed)


class AssuranceRequired(DomainError):
    """The account's assurance level is below what the service needs; a sign-in with a provider raises it."""

    code = "assurance_required"
    status_code = HTTPStatus.FORBIDDEN


def assurance_require(*, user: User, needed: str) -> None:
    """Refuse, with the reason and the way on, unless the account's level is at least ``needed``."""
    if needed == ASSURANCE_ORDER[0] and user.is_authenticated:
        return  # every account has the lowest level: nothing to read
    if not assurance_meets(level=assurance_for_user(user=user), needed=needed):
        raise AssuranceRequired(
            _(
                "This service needs a stronger sign-in: “%(level)s”. Sign in once with your identity provider to "
                "link it to your account, then try again."
            )
            % {"level": Assurance(needed).label}
        )


def id_number_claims() -> QuerySet[IdNumberClaim]:
    """Return the unverified ID numbers typed into profiles, the ones others typed too first."""
    return (
        IdNumberClaim.objects.filter(id_number__isnull=False, identity_verified_at__isnull=True)
        .select_related("user")
        .order_by("id_number", "created_at")
    )


def id_number_claimants(*, id_number: str) -> list[ResidentProfile]:
    """Return every profile holding ``id_number`` (the evidence staff weigh: facts, identities, wallet documents)."""
    return list(
        ResidentProfile.objects.filter(id_number=id_number)
        .select_related("user")
        .prefetch_related("user__identity_links", "user__documents__document_type")
        .order_by("created_at")
    )
