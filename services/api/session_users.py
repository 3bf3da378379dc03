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

On Redis a request makes one round trip for all of it (READ_AT_ONCE): the token's session as the session cache keeps
it, the copy of its user and the request counted against the account's throttle (throttling.py). The user's id is
found there beside the session, noted by the first request that found the session's user (a session key never
changes hands: a login of someone else makes a new one); the session itself still has the last word on whose it is.
With the cache down, every request reads the session and the user from the database as before.
"""

import logging

from allauth.core.internal.sessionkit import get_session_user
from allauth.headless import app_settings
from allauth.headless.internal import sessionkit
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
USER = "{user}"  # where READ_AT_ONCE puts the user's id in a key
UNREAD = object()  # session_user(kept=UNREAD): the copy is still to be read

# KEYS: the session's cache key, the key of its user's id; ARGV: the key of the user's copy and the account's
# throttle counter (empty: no limit) with USER in them, the counter's expiry. Returns the session's raw value,
# then, once its user's id is noted, the id, the copy's raw value and the count.
READ_AT_ONCE = """
local session = redis.call('GET', KEYS[1])
local user = redis.call('GET', KEYS[2])
if not session or not user then
  return {session, false, false, false}
end
local kept = redis.call('GET', (string.gsub(ARGV[1], '{user}', user)))
local count = false
if ARGV[2] ~= '' then
  local counter = (string.gsub(ARGV[2], '{user}', user))
  count = redis.call('INCRBY', counter, 1)
  redis.call('EXPIRE', counter, ARGV[3])
end
return {session, user, kept, count}
"""
_scripts = {}  # per Redis client: its READ_AT_ONCE (EVALSHA, loaded again by redis-py if the server lost it)


def _key(user_id) -> str:
    return f"session-user:{user_id}"


def _user_id_key(session_key: str) -> str:
    return f"session-user-id:{session_key}"


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


def token_session_user(*, token: str, request):
    """Return the session of the app session token ``token`` (None: no such session, or ended) and its signed-in
    user (None: not signed in, inactive, or the password changed since), counting the request against the account's
    throttle on the way (on Redis in one round trip, see the module docstring)."""
    read = _read_at_once(token=token, request=request)
    if read is None:  # not Redis, the session not in the cache (then from the database), or the cache down
        session = app_settings.TOKEN_STRATEGY.lookup_session(token)
        kept = UNREAD
    else:
        loaded, kept = read
        session = app_settings.TOKEN_STRATEGY.still_valid(loaded, token)
    if session is None:
        UserRateThrottle().uncount(request)
        return None, None
    user = session_user(session=session, request=request, kept=kept)
    if user is not None and read is not None and kept is UNREAD:
        _note_user_id(token=token, user_id=user.pk)
    return session, user


def _note_user_id(*, token: str, user_id) -> None:
    """Note the id of the session's user beside it (as is, for READ_AT_ONCE), for as long as the session may live."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    try:
        cache.client.get_client(write=True).set(
            cache.make_and_validate_key(_user_id_key(token)), str(user_id), ex=settings.API_TOKEN_IDLE_SECONDS
        )
    except RedisError:
        logger.warning("session's user id not noted (cache down)", exc_info=True)


def session_user(*, session, request=None, kept=UNREAD):
    """Return the signed-in user of ``session`` (None: not signed in, inactive, or the password changed since), and
    count the request against the account's throttle on the way when the cache is Redis (see throttling.py);
    ``kept``: the copy of the user, when it was read with the session."""
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return None
    cache = caches[DEFAULT_CACHE_ALIAS]
    if kept is UNREAD and settings.API_USER_CACHE_SECONDS:
        kept = _read_and_count(cache=cache, user_id=user_id, request=request)
    elif kept is UNREAD:
        kept = None
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


def _read_at_once(*, token: str, request):
    """On Redis, return the token's session loaded from the cache and the copy of its user (UNREAD when its user's id
    is not noted yet, or not the session's), the request counted; None when that cannot be done in one round trip."""
    cache = caches[DEFAULT_CACHE_ALIAS]
    session = sessionkit.session_store(token)
    if not (isinstance(cache, RedisCache) and settings.API_USER_CACHE_SECONDS and session.session_key):
        return None
    if getattr(session, "_cache", None) is not cache:  # the sessions are not kept in this cache (cached_db, cache)
        return None
    throttle = UserRateThrottle()
    counter = throttle.counter(USER)
    try:
        client = cache.client.get_client(write=True)
        script = _scripts.get(id(client)) or _scripts.setdefault(id(client), client.register_script(READ_AT_ONCE))
        keys = [cache.make_and_validate_key(session.cache_key), cache.make_and_validate_key(_user_id_key(token))]
        args = [cache.make_and_validate_key(_key(USER)), counter[1] if counter else "", throttle.duration + 1]
        raw_session, user_id, raw_kept, count = script(keys=keys, args=args, client=client)
    except RedisError:
        logger.warning("session not read (cache down): read from the database", exc_info=True)
        return None
    if raw_session is None:
        return None
    # What the session's own load() would have read from the cache: set here instead of read a second time.
    session._session_cache = cache.client.decode(raw_session)
    if user_id is None:
        return session, UNREAD
    user_id = user_id.decode()
    if counter is not None:
        throttle.precounted(request, counter=counter[0].replace(USER, user_id), count=count)
    if str(session.get(SESSION_KEY)) != user_id:  # never seen: a session key is not reused for another user
        throttle.uncount(request)
        return session, UNREAD
    return session, None if raw_kept is None else cache.client.decode(raw_kept)


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
