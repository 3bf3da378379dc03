"""API throttles that count requests in fixed windows: one cache round trip per request, whatever the rate.

DRF's own throttles keep every request's timestamp of the window in one cache entry, read and rewritten
whole on each request, so their cost grows with the rate allowed (600 a minute is a 600-item list).
These count instead: ``INCR`` on a key named after the window, which expires with it (one Redis round trip;
``add`` then ``incr`` on other caches). A caller may reach twice the rate across a window's edge, which a
limit meant against abuse tolerates; ``Retry-After`` is the time left in the window.
"""

import logging
import time

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django_redis.cache import RedisCache
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from services.common.http import client_address

logger = logging.getLogger(__name__)


class WindowCountThrottle(SimpleRateThrottle):
    """A SimpleRateThrottle (same rates, scopes and idents) counting requests per fixed window."""

    cache_format = "throttle:%(scope)s:%(ident)s"

    @property
    def cache(self):
        # The backend itself: DRF's default is Django's proxy to it, which isinstance() in _count cannot see through.
        return caches[DEFAULT_CACHE_ALIAS]

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        return self.allow_key(key)

    def allow_key(self, key: str) -> bool:
        """Count one request under ``key`` in the current window; False once the window's allowance is spent."""
        return _count(self.cache, self.window_key(key), self.duration) <= self.num_requests

    def window_key(self, key: str) -> str:
        """Return the counter of ``key`` for the current window (and note the time left in it for Retry-After)."""
        now = time.time()
        window = int(now // self.duration)
        self.retry_after = (window + 1) * self.duration - now
        return f"{key}:{window}"

    def wait(self) -> float:
        return self.retry_after

    def get_ident(self, request) -> str:
        # The portal's one notion of the address (TRUSTED_PROXY_COUNT): DRF's own believes any X-Forwarded-For.
        return client_address(request)


def limit_allows(*, key: str, rate: str, amount: int = 1) -> bool:
    """Count ``amount`` (one operation, or its bytes) against ``key``'s allowance ``rate`` ("60/hour") in the
    current window; False once it is spent. The limits on costly operations per account and per address use it."""
    allowed, duration = SimpleRateThrottle.parse_rate(None, rate)  # a method that reads nothing of its instance
    window = int(time.time() // duration)
    return _count(caches[DEFAULT_CACHE_ALIAS], f"limit:{key}:{window}", duration, amount) <= allowed


def _count(cache, key: str, timeout: int, amount: int = 1) -> int:
    """Add ``amount`` to the counter ``key`` (created with ``timeout``) and return its new value."""
    if isinstance(cache, RedisCache):
        key = cache.make_and_validate_key(key)
        # INCRBY and EXPIRE in one MULTI/EXEC: one round trip, and never a counter left without its expiry (the
        # cache's own incr() is a Lua script on an existing key, so it would take an add() and a second trip).
        pipeline = cache.client.get_client(write=True).pipeline(transaction=True)
        pipeline.incrby(key, amount)
        pipeline.expire(key, timeout + 1)  # the window is in the key: a later expiry only keeps it longer
        try:
            return pipeline.execute()[0]
        except RedisError:  # the cache is down: a throttle that cannot count lets the request through
            logger.warning("throttle could not count (cache down): request let through", exc_info=True)
            return 0
    if cache.add(key, amount, timeout + 1):
        return amount
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.add(key, amount, timeout + 1)
        return amount


class AnonRateThrottle(WindowCountThrottle):
    """Anonymous callers, per address (``anon`` rate)."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.anonymous_key(request)

    def anonymous_key(self, request) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# Where the authentication leaves the count it took for the account (session_users.py): (counter, count).
PRECOUNTED = "_user_throttle_precounted"


class UserRateThrottle(WindowCountThrottle):
    """Signed-in callers, per account (``user`` rate); anonymous ones are left to AnonRateThrottle.

    On Redis the app's session-token authentication counts the request while it reads the user (``count_with``,
    one round trip for both); the throttle then only compares that count with the allowance.
    """

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return self.account_key(request.user.pk)

    def account_key(self, user_id) -> str:
        return self.cache_format % {"scope": self.scope, "ident": user_id}

    def allow_request(self, request, view) -> bool:
        precounted = getattr(request, PRECOUNTED, None)
        key = self.get_cache_key(request, view) if precounted and self.rate is not None else None
        if key is not None and precounted[0] == self.window_key(key):
            return precounted[1] <= self.num_requests
        return super().allow_request(request, view)

    def count_with(self, *, request, user_id, read: str):
        """Count the request against account ``user_id`` (left on ``request`` for allow_request) and GET the Redis
        key ``read``, in one MULTI/EXEC round trip; return what ``read`` holds (raw). Raises RedisError."""
        pipeline = self.cache.client.get_client(write=True).pipeline(transaction=True)
        counter = self.counter(user_id)
        if counter is not None:
            pipeline.incrby(counter[1], 1)
            pipeline.expire(counter[1], self.duration + 1)
        pipeline.get(read)
        results = pipeline.execute()
        if counter is not None:
            self.precounted(request, counter=counter[0], count=results[0])
        return results[-1]

    def counter(self, user_id) -> tuple[str, str] | None:
        """Return the account's counter for the current window, as its name and its Redis key (None: no limit);
        it expires ``self.duration + 1`` seconds after a count."""
        if self.rate is None:
            return None
        name = self.window_key(self.account_key(user_id))
        return name, self.cache.make_and_validate_key(name)

    def precounted(self, request, *, counter: str, count: int) -> None:
        """Note that the request was counted (``count`` under ``counter``) while its user was read."""
        setattr(request, PRECOUNTED, (counter, count))

    def uncount(self, request) -> None:
        """Take back the count ``count_with`` took when the session turned out not to be signed in after all."""
        precounted = getattr(request, PRECOUNTED, None)
        if precounted is None:
            return
        setattr(request, PRECOUNTED, None)
        try:
            self.cache.client.get_client(write=True).decrby(self.cache.make_and_validate_key(precounted[0]), 1)
        except RedisError:
            logger.warning("throttle count not taken back (cache down)", exc_info=True)
