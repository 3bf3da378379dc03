"""Reads of mandates, and the one rule of acting for another: which mandate lets a person see or act on whose
applications (used by the applications app for every resident read and every resident move)."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import Mandate


def _covering(mandates: QuerySet, *, service) -> QuerySet:
    """Mandates whose scope takes in ``service`` (a Service, or an OuterRef to one's id)."""
    if isinstance(service, OuterRef):
        department = OuterRef(f"{service.name}__department")
    else:
        service, department = service.pk, service.department_id
    return mandates.filter(Q(all_services=True) | Q(services=service) | Q(departments=department))


def mandate_covering_q(*, grantee, act: bool = False, subject: str = "applicant", service: str = "service") -> Exists:
    """A condition on rows with a ``subject`` (the person) and a ``service``: ``grantee`` holds a mandate in force
    from that person whose scope takes in the service (with ``act``: one that lets them apply and act)."""
    mandates = Mandate.objects.in_force().filter(grantee=grantee, grantor=OuterRef(subject))
    if act:
        mandates = mandates.filter(access=Mandate.Access.APPLY)
    return Exists(_covering(mandates, service=OuterRef(service)))


def mandate_grantor_ids(*, grantee) -> list[int]:
    """Return the ids of the people ``grantee`` holds a mandate in force from (usually none)."""
    if not getattr(grantee, "is_authenticated", False):
        return []
    return list(Mandate.objects.in_force().filter(grantee=grantee).values_list("grantor_id", flat=True).distinct())


def mandate_for(*, grantee, grantor_id: int, service, act: bool = True) -> Mandate | None:
    """Return the mandate in force that lets ``grantee`` see (or, with ``act``, act on) ``grantor_id``'s
    applications for ``service``, or None."""
    if grantee is None or not grantee.is_authenticated:
        return None
    mandates = Mandate.objects.in_force().filter(grantee=grantee, grantor_id=grantor_id)
    if act:
        mandates = mandates.filter(access=Mandate.Access.APPLY)
    return _covering(mandates, service=service).select_related("grantor__profile", "grantee__profile").first()


def mandates_to_act_for(*, grantee, service) -> list[Mandate]:
    """Return the mandates in force that let ``grantee`` apply for ``service`` for someone, one per person."""
    mandates = Mandate.objects.in_force().filter(grantee=grantee, access=Mandate.Access.APPLY)
    mandates = _covering(mandates, service=service)
    by_person = {m.grantor_id: m for m in mandates.select_related("grantor__profile").order_by("pk")}
    return list(by_person.values())


def mandate_grantor_for(*, grantee, public_id: str, service):
    """Return the person a mandate in force lets ``grantee`` apply for ``service`` for; 404 for any other id."""
    for mandate in mandates_to_act_for(grantee=grantee, service=service):
        if str(mandate.public_id) == public_id:
            return mandate.grantor
    raise Http404("No mandate")


def mandate_list_for_user(*, user) -> tuple[list[Mandate], list[Mandate]]:
    """Return the mandates the user gave (for them) and those they hold (acting for others), newest first."""
    related = ("grantor__profile", "grantee__profile")
    given = Mandate.objects.filter(grantor=user).select_related(*related).prefetch_related("services", "departments")
    held = Mandate.objects.filter(grantee=user).select_related(*related).prefetch_related("services", "departments")
    return list(given.order_by("-created_at")), list(held.order_by("-created_at"))


def mandate_get_for_party(*, user, public_id) -> Mandate:
    """Return a mandate the user gave or holds, or raise Mandate.DoesNotExist (someone else's is not found)."""
    return Mandate.objects.filter(Q(grantor=user) | Q(grantee=user)).get(public_id=public_id)


def mandate_snapshot(*, mandate: Mandate) -> dict:
    """Return what an application keeps of the mandate it was made under (the mandate may change or end later)."""
    names = {}
    for role in ("grantor", "grantee"):
        person = getattr(mandate, role)
        profile = getattr(person, "profile", None)
        names[role] = getattr(profile, "legal_name", "") or person.email
    return {
        "public_id": str(mandate.public_id),
        "basis": mandate.basis,
        "access": mandate.access,
        "grantor_name": names["grantor"],
        "grantee_name": names["grantee"],
        "all_services": mandate.all_services,
        "valid_from": mandate.valid_from.isoformat(),
        "valid_until": mandate.valid_until.isoformat() if mandate.valid_until else None,
        "approved_by_staff": mandate.approved_by_id is not None,
    }
