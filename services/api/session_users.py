"""The signed-in user of an app session, kept in the cache so that an API request reads no user row.

Django finds a session's user with a query per request (the row, then ``is_active`` and the session's password hash
checked against it). Here the row's fields (never the password: its session hash instead) are kept in the cache
under the user's id for API_USER_CACHE_SECONDS and used only when they still say yes: the user active, and the
session's hash equal to the one kept. Anything else (nothing kept, a hash that differs, an inactive user) goes to
Django's own check on the database, which has the last word.

Every save or deletion of a user replaces the kept copy with a mark, on the spot and again once the transaction
commits, that for API_USER_INVALIDATED_SECONDS stops anyone from keeping a copy (a request that read the row before
the change cannot put the old one back): a deactivated account or a changed password is refused at the next request.
A logout or an ended session deletes the session itself, which the token lookup reads first.

On Redis the copy is read in the same round trip that counts the request against the account's throttle
(throttling.py); with the cache down, every request reads the user from the database as before.
"""

import logging

from allauth.core.internal.sessionkit import get_session_user
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django_redis.cache import RedisCache
from redis.exceptions import RedisError

from .throttling import UserRateThrottle

logger = logging.getLogger(__name__)

INVALIDATED = "invalidated"
API_USER_INVALIDATED_SECONDS = 30  # far longer than a request takes between reading a user row and keeping it
SESSION_HASH = "session_hash"


def _key(user_id) -> str:
    return f"session-user:{user_id}"


def _kept_fields() -> list[str]:
    return [field.attname for field in get_user_model()._meta.concrete_fields if field.attname != "password"]


def _snapshot(user) -> dict:
    return {**{name: getattr(user, name) for name in _kept_fields()}, SESSION_HASH: user.get_session_auth_hash()}


def _user_from(snapshot: dict):
    """Return the user the snapshot holds, as if read from the database without its password (deferred: read on
    first use, and a ``save()`` writes only the fields it holds)."""
    names = _kept_fields()
    if not snapshot.keys() >= set(names):  # kept before the user model changed: read it afresh
        return None
    return get_user_model().from_db("default", names, [snapshot[name] for name in names])


def session_user(*, session, request=None):
    """Return the signed-in user of ``session`` (None: not signed in, inactive, or the password changed since), and
    count the request against the account's throttle on the way when the cache is Redis (see throttling.py)."""
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return None
    cache = caches[DEFAULT_CACHE_ALIAS]
    kept = _read_and_count(cache=cache, user_id=user_id, request=request) if settings.API_USER_CACHE_SECONDS else None
    if (
        isinstance(kept, dict)
        and kept.get("is_active")
        and session.get(BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and constant_time_compare(session.get(HASH_SESSION_KEY) or "", kept.get(SESSION_HASH, ""))
        and (user := _user_from(kept)) is not None
    ):
        return user
    user = get_session_user(session)  # Django's own check on the database: active, the password's session hash
    if user is None:
        UserRateThrottle().uncount(request)  # a stale token spends nobody's allowance
    elif kept != INVALIDATED and settings.API_USER_CACHE_SECONDS:
        cache.add(_key(user.pk), _snapshot(user), settings.API_USER_CACHE_SECONDS)  # never over the mark
    return user


def _read_and_count(*, cache, user_id, request):
    """Return what the cache keeps for the user; on Redis, count the request in the same round trip."""
    if not isinstance(cache, RedisCache) or request is None:
        return cache.get(_key(user_id))
    try:
        read = cache.make_and_validate_key(_key(user_id))
        raw = UserRateThrottle().count_with(request=request, user_id=user_id, read=read)
    except RedisError:
        logger.warning("session user not read (cache down): read from the database", exc_info=True)
        return None
    return None if raw is None else cache.client.decode(raw)


def user_changed(*, user_id) -> None:
    """Stop using the kept copy of the user at once, and again when the transaction commits (see module docstring)."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    cache.set(_key(user_id), INVALIDATED, API_USER_INVALIDATED_SECONDS)
    transaction.on_commit(lambda: cache.set(_key(user_id), INVALIDATED, API_USER_INVALIDATED_SECONDS))


def on_user_saved_or_deleted(sender, instance, **kwargs) -> None:
    """Signal receiver (apps.py): a user's row changed, so its kept copy must go."""
    user_changed(user_id=instance.pk)
