"""The client's address, one notion of it for the whole portal (throttles, allauth's rate limits, the audit log)."""

from django.conf import settings


def client_address(request) -> str:
    """Return the address the request came from: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address
    the outermost of them appended to X-Forwarded-For. What a client writes in that header itself is never taken:
    with no proxy configured it is ignored, and behind proxies only the entries they added are read."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(count, len(addresses))] or remote
