"""Signing and checking credential tokens: compact JWS (ES256) with the issuing department's key."""

import json
import secrets
from collections.abc import Callable

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

ALGORITHM = "ES256"


def new_key_pair() -> tuple[str, dict, dict]:
    """Return a new key's id and its private and public JWKs."""
    kid = secrets.token_hex(8)
    key = ECKey.generate_key("P-256", parameters={"kid": kid, "use": "sig", "alg": ALGORITHM}, private=True)
    return kid, key.as_dict(private=True), key.as_dict(private=False)


def sign(*, payload: dict, private_jwk: dict) -> str:
    """Return ``payload`` signed as a compact JWS."""
    header = {"alg": ALGORITHM, "kid": private_jwk["kid"], "typ": "JWT"}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return jws.serialize_compact(header, body.encode(), ECKey.import_key(private_jwk))


def public_key(*, jwk: dict) -> ECKey:
    """Return a published JWK as a key to check signatures with (parsing one costs more than checking with it)."""
    return ECKey.import_key(jwk)


def signed_payload(*, token: str, key_for: Callable[[str], ECKey | None]) -> tuple[str, dict] | None:
    """Return the key id and payload of a token signed by the key ``key_for`` gives for the key id its header names;
    None for anything else (a bad signature, an unknown key, a token that does not parse)."""
    try:
        compact = jws.extract_compact(token.strip().encode())
        kid = compact.headers().get("kid")
        key = key_for(kid) if isinstance(kid, str) and kid else None
        if key is None or not jws.validate_compact(compact, key, algorithms=[ALGORITHM]):
            return None
        payload = json.loads(compact.payload)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    return (kid, payload) if isinstance(payload, dict) else None
