"""The identity providers the portal trusts, read from IDENTITY_PROVIDERS (portal/settings/identity.py)."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

from services.common.errors import DomainError

from .models import Assurance


class UnknownProvider(DomainError):
    code = "not_found"
    status_code = 404


@dataclass(frozen=True)
class Provider:
    id: str
    issuer: str
    client_id: str
    name_zh: str
    name_en: str
    client_secret: str = ""
    private_key_file: str = ""  # PEM of the RSA key for private_key_jwt; the provider holds its public half
    private_key_kid: str = ""
    # client_secret_basic or client_secret_post; private_key_jwt whenever a key file is given
    token_auth_method: str = "client_secret_basic"  # noqa: S105 (a method name)
    assurance: str = Assurance.REAL_NAME
    scope: str = "openid profile email family"
    app_redirect_uri: str = ""  # the mobile app's redirect (its custom scheme), registered at the provider

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def private_key(self) -> str:
        return Path(self.private_key_file).read_text() if self.private_key_file else ""


def provider_list() -> list[Provider]:
    """Return the configured providers, in the order given."""
    return [Provider(**entry) for entry in settings.IDENTITY_PROVIDERS]


def provider_get(provider_id: str) -> Provider:
    """Return the provider with this id; an unknown one is a 404."""
    for provider in provider_list():
        if provider.id == provider_id:
            return provider
    raise UnknownProvider(f"No identity provider {provider_id!r}.")
