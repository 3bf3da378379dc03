"""Celery beat that publishes only while it holds a lock in the broker's Redis.

Kubernetes runs one beat (one replica, Recreate), but two can still run for a while: a node cut off from the
cluster whose pod is started again elsewhere, a manual scale. Each periodic job must still be published once, so
a beat publishes only while it holds the lock; the other waits, and takes over within ``lock_seconds`` of the
holder's death. Set as ``CELERY_BEAT_SCHEDULER``.
"""

import logging
import uuid

from celery.beat import PersistentScheduler
from django.conf import settings
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Take the lock if it is free, or extend it if this beat holds it: one atomic step, so two beats never both do.
_TAKE_OR_EXTEND = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 1 end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('expire', KEYS[1], ARGV[2]) return 1 end
return 0
"""
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


class LockedScheduler(PersistentScheduler):
    """Beat's scheduler, publishing the periodic jobs only while this beat holds the beat lock."""

    lock_seconds = 30  # a dead holder's lock frees itself this long after its last renewal

    def __init__(self, *args, **kwargs):
        self.lock_token, self.lock_connection, self.holds_lock = uuid.uuid4().hex, None, False
        super().__init__(*args, **kwargs)

    @property
    def lock_key(self) -> str:
        return f"{settings.CELERY_BROKER_TRANSPORT_OPTIONS.get('global_keyprefix', '')}portal:beat-lock"

    def tick(self, *args, **kwargs) -> float:
        """Publish the jobs due if this beat holds the lock; come back before the lock would expire."""
        renew_every = self.lock_seconds / 3
        if not self.take_lock():
            return renew_every
        return min(super().tick(*args, **kwargs), renew_every)

    def take_lock(self) -> bool:
        """Take or extend the beat lock; False while another beat holds it or Redis cannot be reached."""
        try:
            if self.lock_connection is None:
                self.lock_connection = self.app.connection_for_write()
            client = self.lock_connection.default_channel.client
            held = bool(client.eval(_TAKE_OR_EXTEND, 1, self.lock_key, self.lock_token, int(self.lock_seconds)))
        except (RedisError, OSError, OperationalError):
            logger.warning("beat lock: Redis cannot be reached; not publishing", exc_info=True)
            self.lock_connection, held = None, False
        if held != self.holds_lock:
            logger.info("beat lock %s", "taken: publishing the periodic jobs" if held else "held by another beat")
        self.holds_lock = held
        return held

    def close(self) -> None:
        """Give the lock up on a clean stop, so the next beat starts publishing at once."""
        if self.holds_lock and self.lock_connection is not None:
            try:
                self.lock_connection.default_channel.client.eval(_RELEASE, 1, self.lock_key, self.lock_token)
            except (RedisError, OSError, OperationalError):
                logger.warning("beat lock: could not give it up; it frees itself", exc_info=True)
            self.lock_connection.release()
        super().close()
