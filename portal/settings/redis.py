"""Redis with Sentinel: the broker (Celery) and the cache (django-redis) follow the primary the sentinels name.

With REDIS_SENTINELS set, CELERY_BROKER_URL and CACHE_URL keep their password and database number, and their host
is replaced by the primary that the sentinels report for REDIS_SENTINEL_MASTER, found again after a failover.
"""

from urllib.parse import urlsplit

from .env import env

REDIS_SENTINELS = [
    (host, int(port)) for host, _, port in (s.strip().rpartition(":") for s in env.list("REDIS_SENTINELS", default=[]))
]
REDIS_SENTINEL_MASTER = env("REDIS_SENTINEL_MASTER", default="portal")


def sentinel_broker_url(url: str) -> str:
    """Return kombu's URL for the sentinels (``sentinel://...;sentinel://...``) with ``url``'s password and db."""
    parts = urlsplit(url)
    auth = f":{parts.password}@" if parts.password else ""
    return ";".join(f"sentinel://{auth}{host}:{port}{parts.path}" for host, port in REDIS_SENTINELS)


def sentinel_cache(cache: dict) -> dict:
    """Return django-redis's configuration of ``cache`` through the sentinels, to their current primary."""
    parts = urlsplit(cache["LOCATION"])
    auth = f":{parts.password}@" if parts.password else ""
    options = {
        **cache.get("OPTIONS", {}),
        "CLIENT_CLASS": "django_redis.client.SentinelClient",
        "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
        "SENTINELS": REDIS_SENTINELS,
    }
    return {**cache, "LOCATION": f"redis://{auth}{REDIS_SENTINEL_MASTER}{parts.path}", "OPTIONS": options}
