"""Two beats at once (a rollout, a node cut off): only the one holding the lock in Redis publishes the periodic
jobs, and when it dies the other takes over once the lock has expired; on the real Redis."""

import time
import uuid

import pytest
import redis
from django.conf import settings

from portal.beat import LockedScheduler
from portal.celery import app as celery_app

pytestmark = pytest.mark.integration


@pytest.fixture
def probe_queue(real_services):
    """A periodic job every 50 ms publishing to a queue of this test's own; the broker's list of it counts."""
    queue = f"beat-probe-{uuid.uuid4().hex[:8]}"
    saved = celery_app.conf.beat_schedule
    celery_app.conf.beat_schedule = {
        "probe": {"task": "tests.beat_probe", "schedule": 0.05, "options": {"queue": queue}}
    }
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]
    yield lambda: broker.llen(f"{prefix}{queue}")
    celery_app.conf.beat_schedule = saved
    broker.delete(f"{prefix}{queue}", f"{prefix}portal:beat-lock")


def beat(tmp_path, name: str) -> LockedScheduler:
    scheduler = LockedScheduler(app=celery_app, schedule_filename=str(tmp_path / name))
    scheduler.lock_seconds = 1  # take-over after one second instead of thirty
    return scheduler


def runs(scheduler: LockedScheduler) -> int:
    return scheduler.schedule["probe"].total_run_count


def tick_for(seconds: float, *schedulers: LockedScheduler) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for scheduler in schedulers:
            scheduler.tick()
        time.sleep(0.02)


def test_of_two_beats_only_the_lock_holder_publishes(probe_queue, tmp_path):
    """Two beats tick side by side for a second: one publishes the job every time it is due, the other never."""
    first, second = beat(tmp_path, "first"), beat(tmp_path, "second")
    try:
        tick_for(1.0, first, second)

        assert (first.holds_lock, second.holds_lock) == (True, False)
        assert runs(first) >= 5 and runs(second) == 0
        assert probe_queue() == runs(first)  # every message on the queue came from the holder
    finally:
        first.close(), second.close()


def test_the_other_beat_takes_over_when_the_holder_dies(probe_queue, tmp_path):
    """The holder stops ticking without giving the lock up (SIGKILL): the other publishes once the lock expires,
    not before."""
    first, second = beat(tmp_path, "first"), beat(tmp_path, "second")
    try:
        tick_for(0.3, first, second)
        dead_at = runs(first)
        tick_for(0.5, second)  # the dead holder's lock has not expired yet
        assert runs(second) == 0

        tick_for(1.5, second)

        assert second.holds_lock and runs(second) > 0
        assert probe_queue() == dead_at + runs(second)
    finally:
        second.close()


def test_a_beat_stopped_cleanly_hands_over_at_once(probe_queue, tmp_path):
    """A beat stopped by a rollout (SIGTERM) gives the lock up, so the next one need not wait for it to expire."""
    first, second = beat(tmp_path, "first"), beat(tmp_path, "second")
    first.lock_seconds = second.lock_seconds = 30
    tick_for(0.2, first)
    first.close()

    tick_for(0.3, second)

    assert second.holds_lock and runs(second) > 0
    second.close()
