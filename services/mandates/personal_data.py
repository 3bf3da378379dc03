"""The mandates app's part of a resident's personal data: mandates given and held."""

from django.db.models import Q

from services.accounts.privacy import register

from .models import Mandate


def export_mandates(user):
    """Return each mandate the resident gave or holds: the other party, basis, scope, period and status."""
    rows = []
    for mandate in Mandate.objects.filter(Q(grantor=user) | Q(grantee=user)).order_by("created_at"):
        rows.append(
            {
                "role": "grantor" if mandate.grantor_id == user.pk else "agent",
                "basis": mandate.basis,
                "access": mandate.access,
                "all_services": mandate.all_services,
                "valid_from": mandate.valid_from,
                "valid_until": mandate.valid_until,
                "status": mandate.effective_status,
            }
        )
    return rows, []


def erase_mandates(user) -> None:
    """End and forget every mandate the resident gave or holds (applications keep their snapshot)."""
    Mandate.objects.filter(Q(grantor=user) | Q(grantee=user)).delete()


register(app_label="mandates", section="mandates", export_for=export_mandates, erase_for=erase_mandates)
