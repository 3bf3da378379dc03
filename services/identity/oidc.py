"""OpenID Connect as a relying party, on Authlib: authorization code with PKCE, state and nonce, ID tokens checked
against the provider's JWKS (fetched again once when a token names a key it does not hold: rotation), client
authentication by secret or private_key_jwt, and the provider's logout.

The web keeps a login's pending state in the session, the app's API in the cache; both use the two calls here.
"""

import base64
import json
import secrets
from http import HTTPStatus
from urllib.parse import urlencode

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.common.errors import DomainError

from .providers import Provider

METADATA_SECONDS = 3600
JWKS_REFRESH_SECONDS = 60  # a token naming an unknown key fetches the JWKS again at most this often
LEEWAY_SECONDS = 60  # clock difference allowed between the provider and the portal


class ProviderUnavailable(DomainError):
    """The identity provider did not answer (or answered nonsense); email sign-in still works."""

    code = "provider_unavailable"
    status_code = HTTPStatus.SERVICE_UNAVAILABLE


class LoginRefused(DomainError):
    """The provider's answer could not be trusted or used: the sign-in does not happen."""

    code = "identity_login_refused"


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.IDENTITY_HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(_("The identity provider cannot be reached just now. Try again later.")) from exc


def provider_metadata(provider: Provider) -> dict:
    """Return the provider's discovery document (cached); its issuer must be the one configured."""
    key = f"identity:metadata:{provider.id}"
    metadata = cache.get(key)
    if metadata is None:
        metadata = _get_json(f"{provider.issuer.rstrip('/')}/.well-known/openid-configuration")
        if metadata.get("issuer") != provider.issuer:
            raise ProviderUnavailable(_("The identity provider cannot be reached just now. Try again later."))
        cache.set(key, metadata, METADATA_SECONDS)
    return metadata


def _provider_keys(provider: Provider, kid: str | None) -> KeySet:
    key = f"identity:jwks:{provider.id}"
    data = cache.get(key)
    known = data is not None and any(k.get("kid") == kid for k in data.get("keys", []))
    if data is None or (not known and cache.add(f"{key}:refreshed", True, JWKS_REFRESH_SECONDS)):
        data = _get_json(provider_metadata(provider)["jwks_uri"])
        cache.set(key, data, METADATA_SECONDS)
    return KeySet.import_key_set(data)


def _client(provider: Provider, redirect_uri: str) -> OAuth2Session:
    options = {"scope": provider.scope, "redirect_uri": redirect_uri, "code_challenge_method": "S256"}
    if provider.private_key_file:
        session = OAuth2Session(
            provider.client_id,
            provider.private_key,
            token_endpoint_auth_method="private_key_jwt",  # noqa: S106  # nosec B106  # a method name
            **options,
        )
        headers = {"kid": provider.private_key_kid} if provider.private_key_kid else None
        session.register_client_auth_method(PrivateKeyJWT(provider_metadata(provider)["token_endpoint"], None, headers))
        return session
    return OAuth2Session(
        provider.client_id, provider.client_secret, token_endpoint_auth_method=provider.token_auth_method, **options
    )


def authorization_start(*, provider: Provider, redirect_uri: str) -> tuple[str, dict]:
    """Return the provider's authorization URL and the pending state to keep until the answer comes back."""
    pending = {
        "provider": provider.id,
        "state": secrets.token_urlsafe(32),
        "nonce": secrets.token_urlsafe(32),
        "code_verifier": secrets.token_urlsafe(64),
        "redirect_uri": redirect_uri,
    }
    url, _state = _client(provider, redirect_uri).create_authorization_url(
        provider_metadata(provider)["authorization_endpoint"],
        state=pending["state"],
        nonce=pending["nonce"],
        code_verifier=pending["code_verifier"],
    )
    return url, pending


def authorization_finish(*, provider: Provider, pending: dict, code: str) -> dict:
    """Exchange the code (with the PKCE verifier) and return the ID token's checked claims."""
    try:
        token = _client(provider, pending["redirect_uri"]).fetch_token(
            provider_metadata(provider)["token_endpoint"],
            code=code,
            code_verifier=pending["code_verifier"],
            timeout=settings.IDENTITY_HTTP_TIMEOUT_SECONDS,
        )
    except AuthlibBaseError as exc:
        raise LoginRefused(_("The identity provider refused the sign-in. Please start again.")) from exc
    except requests.RequestException as exc:
        raise ProviderUnavailable(_("The identity provider cannot be reached just now. Try again later.")) from exc
    return id_token_claims(provider=provider, id_token=token.get("id_token") or "", nonce=pending["nonce"])


def _header(token: str) -> dict:
    try:
        segment = token.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (IndexError, ValueError) as exc:
        raise LoginRefused(_("The identity provider's answer could not be verified.")) from exc
    return header if isinstance(header, dict) else {}


def id_token_claims(*, provider: Provider, id_token: str, nonce: str) -> dict:
    """Return the ID token's claims once its signature (RS256, by a key of the provider's JWKS), issuer, audience,
    times and nonce are right; refuse anything else (``alg: none`` included)."""
    keys = _provider_keys(provider, _header(id_token).get("kid"))
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": provider.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        claims = jwt.decode(id_token, keys, algorithms=["RS256"]).claims
        registry.validate(claims)
    except (JoseError, ValueError) as exc:
        raise LoginRefused(_("The identity provider's answer could not be verified.")) from exc
    return claims


def end_session_url(*, provider: Provider, post_logout_redirect_uri: str) -> str | None:
    """Return the provider's logout URL (RP-initiated logout by ``client_id``: the ID token, which holds personal
    data, is not kept for a hint), or None when it has none or cannot be reached."""
    try:
        endpoint = provider_metadata(provider).get("end_session_endpoint")
    except ProviderUnavailable:
        return None
    if not endpoint:
        return None
    query = {"client_id": provider.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    return f"{endpoint}?{urlencode(query)}"
