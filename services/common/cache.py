"""Django's Redis cache, with one Redis client per connection pool instead of a new one per cache call."""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    """Reuse the ``redis.Redis`` object of each pool: building one (its table of response callbacks) costs about
    as much as a GET round trip, and Django's client builds one for every get, set and incr."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    """settings.CACHES backend for a ``redis://`` CACHE_URL (see portal/settings/base.py)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
