"""Purges delete rows a batch at a time, each batch its own statement, and keep what must stay: expired sessions go
with their "active sessions" rows, live ones and their rows stay; Idempotency-Key records go after their lifetime."""

import datetime as dt

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from services.accounts.actions import sessions_purge_expired
from services.api.actions import idempotency_keys_purge
from services.api.models import IdempotencyKey
from services.common.bulk import rows_delete
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PURGES = {
    "services.accounts.tasks.purge_expired_sessions",
    "services.api.tasks.purge_idempotency_keys",
    "services.notifications.tasks.purge_old_notifications",
    "services.events.tasks.purge_old_events",
    "services.applications.tasks.purge_stale_drafts",
    "services.accounts.tasks.purge_expired_exports",
}


def _keys(user, count: int, *, age: dt.timedelta) -> None:
    for n in range(count):
        IdempotencyKey.objects.create(user=user, key=f"{age}-{n}", method="POST", path="/api/v1/x/", request_hash="h")
    IdempotencyKey.objects.filter(key__startswith=f"{age}-").update(created_at=timezone.now() - age)


def test_rows_are_deleted_a_batch_at_a_time_and_the_rest_kept():
    """Five matching rows with batches of two: three DELETE statements, each on at most two keys; others stay."""
    user = UserFactory()
    _keys(user, 5, age=dt.timedelta(days=2))
    _keys(user, 3, age=dt.timedelta(hours=1))

    with CaptureQueriesContext(connection) as queries:
        deleted = rows_delete(
            queryset=IdempotencyKey.objects.filter(created_at__lt=timezone.now() - dt.timedelta(days=1)), batch=2
        )

    assert deleted == 5
    assert IdempotencyKey.objects.count() == 3
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3


def test_idempotency_keys_go_after_their_lifetime(settings):
    """Keys older than IDEMPOTENCY_KEY_TTL_SECONDS are deleted; younger ones are still replayed."""
    settings.IDEMPOTENCY_KEY_TTL_SECONDS = 600
    user = UserFactory()
    _keys(user, 4, age=dt.timedelta(minutes=11))
    _keys(user, 2, age=dt.timedelta(minutes=9))

    assert idempotency_keys_purge() == 4
    assert set(IdempotencyKey.objects.values_list("key", flat=True)) == {"0:09:00-0", "0:09:00-1"}


def _session(user, *, expired: bool, started: dt.timedelta = dt.timedelta(hours=1)) -> str:
    store = SessionStore()
    store.create()
    if expired:
        Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    UserSession.objects.create(
        user=user, session_key=store.session_key, ip="127.0.0.1", created_at=timezone.now() - started
    )
    return store.session_key


def test_expired_sessions_go_with_their_active_session_rows_and_live_ones_stay():
    """Expired sessions and the "active sessions" rows of sessions gone (expired, or signed out) are deleted; a live
    session keeps its row, and a row written in the last minute (its sign-in still running) is left alone."""
    user = UserFactory()
    live = _session(user, expired=False)
    expired = [_session(user, expired=True) for _ in range(3)]
    signed_out = _session(user, expired=False)
    Session.objects.filter(pk=signed_out).delete()
    UserSession.objects.create(user=user, session_key="being-signed-in", ip="127.0.0.1")

    assert sessions_purge_expired() == 3

    assert set(Session.objects.values_list("session_key", flat=True)) == {live}
    assert set(UserSession.objects.values_list("session_key", flat=True)) == {live, "being-signed-in"}
    assert not set(expired) & set(UserSession.objects.values_list("session_key", flat=True))


def test_every_purge_is_scheduled_on_its_setting(settings):
    """Beat runs each purge every PURGE_EVERY_SECONDS."""
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert {schedule[task] for task in PURGES} == {settings.PURGE_EVERY_SECONDS}
