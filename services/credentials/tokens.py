"""Signing and checking credential tokens: compact JWS (ES256) with the issuing department's key."""

import json
import secrets

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

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


def key_id(*, token: str) -> str:
    """Return the key id a token's header names (unverified: only to find the key), or "" if it has none."""
    try:
        header = jws.extract_compact(token.strip().encode()).headers()
    except (JoseError, ValueError, TypeError):
        return ""
    return header.get("kid", "") if isinstance(header.get("kid"), str) else ""


def signed_payload(*, token: str, public_jwks: list[dict]) -> tuple[str, dict] | None:
    """Return the key id and payload of a token signed by one of ``public_jwks``; None for anything else (a bad
    signature, an unknown key, a token that does not parse)."""
    try:
        verified = jws.deserialize_compact(
            token.strip(), KeySet([ECKey.import_key(jwk) for jwk in public_jwks]), algorithms=[ALGORITHM]
        )
        payload = json.loads(verified.payload)
    except (JoseError, ValueError, TypeError, KeyError):
        return None
    return (verified.headers().get("kid", ""), payload) if isinstance(payload, dict) else None
