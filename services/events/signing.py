"""Standard Webhooks (https://www.standardwebhooks.com/): signing deliveries, verifying calls signed the same way,
and the allow-list of hosts webhooks may go to."""

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import validate_host


class BadSignature(Exception):
    """A call's Standard Webhooks headers are missing, out of date or signed with no secret we hold."""


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error as exc:
        raise ValueError("a signing secret is whsec_ and base64") from exc


def signature(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Return ``v1,`` and the base64 HMAC-SHA256 of ``msg_id.timestamp.body`` under the secret."""
    mac = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def signed_headers(*, secrets: Iterable[str], msg_id: str, body: bytes, timestamp: int | None = None) -> dict:
    """Return the webhook-id, webhook-timestamp and webhook-signature headers (one signature per secret, so a
    receiver holding either secret of a rotation accepts it)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signatures = [
        signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets if secret
    ]
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": " ".join(signatures)}


def verified_id(*, secrets: Iterable[str], headers: Mapping[str, str], body: bytes, tolerance: int = 300) -> str:
    """Return the call's webhook-id once its signature matches one of ``secrets`` and its timestamp is within
    ``tolerance`` seconds of now; raise BadSignature otherwise."""
    msg_id, timestamp, signatures = (headers.get(f"webhook-{name}", "") for name in ("id", "timestamp", "signature"))
    if not (msg_id and timestamp and signatures):
        raise BadSignature("webhook-id, webhook-timestamp and webhook-signature are required")
    try:
        timestamp = int(timestamp)
    except ValueError:
        raise BadSignature("webhook-timestamp is not a number of seconds") from None
    if abs(time.time() - timestamp) > tolerance:
        raise BadSignature("webhook-timestamp is too old or too new")
    expected = [signature(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets if secret]
    if any(hmac.compare_digest(given, wanted) for given in signatures.split() for wanted in expected):
        return msg_id
    raise BadSignature("no signature matches")


def host_allowed(url: str) -> bool:
    """Whether ``url`` is http(s) to a host of WEBHOOK_ALLOWED_HOSTS."""
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and validate_host(parts.hostname, settings.WEBHOOK_ALLOWED_HOSTS)
    )
