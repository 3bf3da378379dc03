"""The proactive services' part of a resident's personal data."""

from services.accounts.privacy import register

from .models import Entitlement, OptOut


def export_entitlements(user):
    """Return each benefit offered or granted to the resident, with the facts it rested on, and the setting."""
    rows = Entitlement.objects.filter(person=user).select_related("service")
    entitlements = [
        {
            "service": row.service.title_zh,
            "service_en": row.service.title_en,
            "status": row.status,
            "facts": row.facts,
            "offered_at": row.created_at,
            "answered_at": row.answered_at,
        }
        for row in rows
    ]
    return {"offers_on": not OptOut.objects.filter(user=user).exists(), "entitlements": entitlements}, []


def erase_entitlements(user) -> None:
    """Delete the resident's offers not taken up (those that became applications are kept with them)."""
    Entitlement.objects.filter(person=user, application__isnull=True).delete()
    OptOut.objects.filter(user=user).delete()


register(app_label="proactive", section="entitlements", export_for=export_entitlements,
         erase_for=erase_entitlements)  # fmt: skip
