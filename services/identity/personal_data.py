"""The identity app's part of a resident's personal data: the identities linked to the account."""

from services.accounts.privacy import register

from .models import IdentityLink


def export_identity_links(user):
    """Return each linked identity: provider, level, what it vouched for and when."""
    links = IdentityLink.objects.filter(user=user).order_by("verified_at")
    fields = ("issuer", "subject", "assurance", "verified_attributes", "verified_at")
    return [{name: getattr(link, name) for name in fields} for link in links], []


def erase_identity_links(user) -> None:
    """Unlink every identity (the person may sign in with it again later: a new account)."""
    IdentityLink.objects.filter(user=user).delete()


register(
    app_label="identity", section="identity_links", export_for=export_identity_links, erase_for=erase_identity_links
)
