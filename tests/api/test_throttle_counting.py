"""The API throttles count requests per window: one small counter per caller, on Redis one round trip."""

import os
import time
import uuid

import pytest
import redis
from django.core.cache import cache
from django.test import RequestFactory, override_settings
from django_redis.cache import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from services.api.throttling import AnonRateThrottle, _count
from tests.conftest import unavailable

pytestmark = pytest.mark.django_db


def test_the_throttle_keeps_a_count_not_a_list_of_times(anonymous_client, monkeypatch):
    """However many requests a window holds, the cache keeps one integer for the caller."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1000/min", "user": "1000/min"})
    monkeypatch.setattr(time, "time", lambda: 1_800_000_030.0)  # the middle of one minute, for the whole test
    for _ in range(30):
        assert anonymous_client.get("/api/v1/services/").status_code == 200

    request = RequestFactory().get("/api/v1/services/")
    key = f"{AnonRateThrottle().anonymous_key(request)}:{1_800_000_030 // 60}"

    assert cache.get(key) == 30


def test_a_caller_over_the_rate_waits_for_the_next_window(anonymous_client, monkeypatch):
    """The request after the allowance is refused with Retry-After no longer than the window."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "5/min", "user": "100/min"})
    answers = [anonymous_client.get("/api/v1/services/").status_code for _ in range(6)]
    refused = anonymous_client.get("/api/v1/services/")

    assert answers == [200] * 5 + [429]
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60


def redis_location() -> str:
    location = os.environ.get("CELERY_BROKER_URL", "")
    if not location.startswith("redis://"):
        unavailable("no Redis (CELERY_BROKER_URL) to count on")
    return location


def test_counting_on_redis_is_an_expiring_counter():
    """On Redis the counter is created with its window's expiry and counts up."""
    redis_cache = RedisCache(redis_location(), {"KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"})
    key = "throttle:anon:198.51.100.7:1"

    counts = [_count(redis_cache, key, 60) for _ in range(3)]
    ttl = redis_cache.ttl(key)
    redis_cache.delete(key)

    assert counts == [1, 2, 3]
    assert 0 < ttl <= 61


def test_the_configured_redis_cache_counts_in_one_multi_exec(monkeypatch):
    """Through the cache settings (DRF's default cache is a proxy to the backend), a request is counted on Redis
    with INCR and EXPIRE in one MULTI/EXEC, not the add() and incr() other caches take (two round trips)."""
    monkeypatch.setattr(time, "time", lambda: 1_800_000_030.0)
    name = f"throttle-test-{uuid.uuid4().hex}"
    location = f"{redis_location()}?client_name={name}"  # a connection pool of its own, its connection named
    backend = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": location, "KEY_PREFIX": name}
    key = "throttle:anon:198.51.100.8"
    with override_settings(CACHES={"default": backend}):
        throttle = AnonRateThrottle()
        allowed = [throttle.allow_key(key) for _ in range(2)]
        [connection] = [c for c in redis.Redis.from_url(redis_location()).client_list() if c["name"] == name]
        counter = throttle.cache.get(f"{key}:{1_800_000_030 // 60}")
        throttle.cache.delete(f"{key}:{1_800_000_030 // 60}")
        throttle.cache.client.get_client().connection_pool.disconnect()

    assert allowed == [True, True] and counter == 2
    assert connection["cmd"] == "exec"
