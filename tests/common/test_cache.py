"""The Redis cache (django-redis, for a redis:// CACHE_URL) keeps one Redis client per connection pool."""

import os
import subprocess
import sys
from pathlib import Path

from django_redis.cache import RedisCache

ROOT = Path(__file__).resolve().parents[2]


def test_the_redis_client_is_built_once_per_pool():
    """Every cache call of a process gets the same client (building one costs about a round trip), and the cache
    of another thread (Django keeps one per thread) shares its connection pool."""
    cache = RedisCache("redis://127.0.0.1:6379/15", {})  # no connection is opened until a command runs
    other_thread = RedisCache("redis://127.0.0.1:6379/15", {})

    first = cache.client.get_client(write=True)
    again = cache.client.get_client(write=False)

    assert first is again
    assert other_thread.client.get_client().connection_pool is first.connection_pool


def test_a_redis_cache_url_gives_django_redis():
    """The production settings turn CACHE_URL=rediscache://... (README, .env.example) into django-redis's backend."""
    script = (
        "from portal.settings import base; print(base.CACHES['default']['BACKEND'], base.CACHES['default']['LOCATION'])"
    )
    env = {**os.environ, "DJANGO_DEBUG": "true", "CACHE_URL": "rediscache://127.0.0.1:6379/1"}

    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django_redis.cache.RedisCache", "redis://127.0.0.1:6379/1"]
