"""Writes of mandates: a grant and its acceptance, revocation, a parent's mandate from the provider's family claim,
and a staff member's approval of one backed by evidence."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from services.accounts.validators import resident_id_birth_date
from services.common.errors import NotAllowed, ValidationFailed
from services.identity.actions import identity_relative_account
from services.notifications.actions import notify
from services.notifications.models import Event

from .models import Mandate

ADULT_AGE = 18


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _eighteenth_birthday(born: dt.date) -> dt.date:
    try:
        return born.replace(year=born.year + ADULT_AGE)
    except ValueError:  # born on 29 February
        return dt.date(born.year + ADULT_AGE, 3, 1)


def _tell_grantor(mandate: Mandate, what: str) -> None:
    notify(
        event=Event.MANDATE_CHANGED,
        event_key=f"mandate:{mandate.public_id}:{what}",
        recipients=[mandate.grantor],
        payload={"what": what, "basis": mandate.basis, "path": "/mandates/"},
    )


@transaction.atomic
def mandate_grant(*, grantor, access: str, services=(), valid_until: dt.date | None = None) -> tuple[Mandate, str]:
    """Grant a power of attorney: a mandate waiting for its agent, and the one-time code of the link that the
    grantor gives them (nobody's account is looked up, so nothing is revealed about who has one)."""
    if valid_until is not None and valid_until < timezone.localdate():
        raise ValidationFailed(_("The end date is in the past."), {"valid_until": [_("The end date is in the past.")]})
    token = secrets.token_urlsafe(24)
    mandate = Mandate.objects.create(
        grantor=grantor,
        basis=Mandate.Basis.POWER_OF_ATTORNEY,
        access=access,
        all_services=not services,
        valid_until=valid_until,
        invitation_hash=_hash(token),
    )
    mandate.services.set(services)
    return mandate, token


def _refuse_self_and_loops(*, grantor, grantee) -> None:
    if grantor.pk == grantee.pk:
        raise NotAllowed(_("You cannot act for yourself under a mandate."))
    if Mandate.objects.in_force().filter(grantor=grantee, grantee=grantor).exists():
        raise NotAllowed(_("This person already acts for you: two people cannot each act for the other."))


@transaction.atomic
def mandate_accept(*, token: str, grantee) -> Mandate:
    """Accept a granted mandate through its link: the grantee now acts for the grantor, who is told."""
    mandate = (
        Mandate.objects.select_for_update()
        .filter(invitation_hash=_hash(token), status=Mandate.Status.REQUESTED)
        .select_related("grantor")
        .first()
    )
    if mandate is None:
        raise ValidationFailed(_("This link is not valid any more. Ask for a new one."))
    _refuse_self_and_loops(grantor=mandate.grantor, grantee=grantee)
    mandate.grantee, mandate.status, mandate.invitation_hash = grantee, Mandate.Status.ACTIVE, ""
    mandate.save(update_fields=["grantee", "status", "invitation_hash", "updated_at"])
    _tell_grantor(mandate, "accepted")
    return mandate


@transaction.atomic
def mandate_revoke(*, mandate: Mandate, by) -> Mandate:
    """End a mandate now: by the person it is for, or by its agent giving it up; access ends at once."""
    if by.pk not in (mandate.grantor_id, mandate.grantee_id):
        raise NotAllowed(_("Only the person a mandate is for, or its agent, can end it."))
    updated = Mandate.objects.filter(pk=mandate.pk, status__in=[Mandate.Status.REQUESTED, Mandate.Status.ACTIVE])
    if updated.update(status=Mandate.Status.REVOKED, revoked_at=timezone.now(), invitation_hash=""):
        mandate.refresh_from_db()
        _tell_grantor(mandate, "revoked")
    return mandate


@transaction.atomic
def mandate_approve(*, mandate: Mandate, by, grantee) -> Mandate:
    """A staff member approves a guardianship or power of attorney backed by evidence they checked."""
    if not by.is_staff or mandate.evidence_id is None or mandate.status != Mandate.Status.REQUESTED:
        raise NotAllowed(_("Only staff can approve a requested mandate, and only with its evidence."))
    _refuse_self_and_loops(grantor=mandate.grantor, grantee=grantee)
    mandate.grantee, mandate.status, mandate.approved_by, mandate.invitation_hash = (
        grantee,
        Mandate.Status.ACTIVE,
        by,
        "",
    )
    mandate.save(update_fields=["grantee", "status", "approved_by", "invitation_hash", "updated_at"])
    _tell_grantor(mandate, "approved")
    return mandate


def mandate_parent_from_family_claim(*, user, attributes: dict) -> list[Mandate]:
    """Make (or keep) the parent's mandate for each minor child the identity provider names: no grant from the
    child is needed, and it ends by itself the day before the child's 18th birthday."""
    made = []
    today = timezone.localdate()
    for relative in attributes.get("family", []):
        born = resident_id_birth_date(relative.get("resident_id") or "")
        if relative.get("relation") != "child" or born is None or _eighteenth_birthday(born) <= today:
            continue
        child = identity_relative_account(id_number=relative["resident_id"], name=relative.get("name", ""))
        if child is None or child.pk == user.pk:
            continue
        mandate, _created = Mandate.objects.get_or_create(
            grantor=child,
            grantee=user,
            basis=Mandate.Basis.PARENT,
            status=Mandate.Status.ACTIVE,
            defaults={
                "access": Mandate.Access.APPLY,
                "valid_until": _eighteenth_birthday(born) - dt.timedelta(days=1),
            },
        )
        made.append(mandate)
    return made
