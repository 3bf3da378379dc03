"""The Redis cache backend keeps one Redis client per connection pool."""

from services.common.cache import RedisCache


def test_the_redis_client_is_built_once_per_pool():
    """Every cache call of a process gets the same client (building one costs about a round trip)."""
    cache = RedisCache("redis://127.0.0.1:6379/15", {})  # no connection is opened until a command runs

    first = cache._cache.get_client("a", write=True)
    again = cache._cache.get_client("b")

    assert first is again
    assert first.connection_pool is cache._cache._get_connection_pool(True)
