"""REDIS_SENTINELS and REDIS_SENTINEL_MASTER turn the broker and cache URLs into Celery's and django-redis's
Sentinel configurations (tests/integration/test_sentinel.py runs them through a real failover)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({"broker": settings.CELERY_BROKER_URL, "transport": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                  "cache": settings.CACHES["default"]}))
"""


def settings_with(**environment: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.base", "DJANGO_SECRET_KEY": "x" * 60,
           "DJANGO_ALLOWED_HOSTS": "localhost", "DATABASE_URL": "sqlite:///:memory:", **environment}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_sentinels_configure_the_broker_and_the_cache():
    """The broker gets one sentinel:// URL per sentinel with the password and database number, and the master's
    name; the cache gets django-redis's Sentinel client for the master, with the same database number as asked."""
    found = settings_with(
        CELERY_BROKER_URL="redis://:s3cret@redis-primary:6379/0",
        CACHE_URL="rediscache://:s3cret@redis-primary:6379/1",
        REDIS_SENTINELS="10.0.0.1:26379, 10.0.0.2:26379,sentinel-3.redis:26380",
        REDIS_SENTINEL_MASTER="portal-broker",
    )

    assert found["broker"] == (
        "sentinel://:s3cret@10.0.0.1:26379/0;sentinel://:s3cret@10.0.0.2:26379/0;sentinel://:s3cret@sentinel-3.redis:26380/0"
    )
    assert found["transport"]["master_name"] == "portal-broker"
    cache = found["cache"]
    assert cache["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache["LOCATION"] == "redis://:s3cret@portal-broker/1"
    assert cache["OPTIONS"]["CLIENT_CLASS"] == "django_redis.client.SentinelClient"
    assert cache["OPTIONS"]["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"
    assert cache["OPTIONS"]["SENTINELS"] == [["10.0.0.1", 26379], ["10.0.0.2", 26379], ["sentinel-3.redis", 26380]]
    assert cache["OPTIONS"]["IGNORE_EXCEPTIONS"] is True  # tests/api/test_cache_outage.py


def test_without_sentinels_the_urls_are_used_as_they_are():
    found = settings_with(
        REDIS_SENTINELS="", CELERY_BROKER_URL="redis://127.0.0.1:6379/3", CACHE_URL="rediscache://127.0.0.1:6379/1"
    )

    assert found["broker"] == "redis://127.0.0.1:6379/3"
    assert "master_name" not in found["transport"]
    assert found["cache"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    # A cache that is down is a miss, with short timeouts (portal/settings/core.py: REDIS_CACHE_OPTIONS)
    assert found["cache"]["OPTIONS"] == {
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 0.5,
        "SOCKET_TIMEOUT": 0.5,
    }
