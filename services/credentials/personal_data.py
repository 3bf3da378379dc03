"""The credentials' part of a resident's personal data."""

from services.accounts.privacy import register

from .actions import credential_revoke
from .models import Credential, State


def export_credentials(user):
    """Return the resident's credentials: type, issuer, validity, status and claims."""
    credentials = Credential.objects.filter(holder=user).select_related("type", "department")
    return [
        {
            "id": str(credential.public_id),
            "type": credential.type.code,
            "department": credential.department.code,
            "valid_from": credential.valid_from.isoformat(),
            "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
            "status": credential.state().value,
            "claims": credential.claims,
        }
        for credential in credentials
    ], []


def erase_credentials(user) -> None:
    """Revoke the resident's credentials (a verifier then hears so) and erase their claims."""
    for credential in Credential.objects.filter(holder=user, status=State.ACTIVE).select_related("type", "department"):
        credential_revoke(credential=credential)
    Credential.objects.filter(holder=user).update(claims={}, token="")  # nosec B106  # the signed token erased, not a password


register(app_label="credentials", section="credentials", export_for=export_credentials, erase_for=erase_credentials)
