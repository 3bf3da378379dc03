"""Beat's jobs run on their own queue and never pile up; expired sessions are purged; make up's supervisor starts a
process again when it dies."""

import datetime as dt
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from services.accounts.tasks import purge_expired_sessions

ROOT = Path(__file__).resolve().parents[2]


def test_every_periodic_job_runs_on_the_sweeps_queue_and_expires_with_its_period(settings):
    """A worker that dies elsewhere (the routing worker on a broker restart) cannot take the sweeps down with it,
    and while the sweeps worker is down beat's messages expire instead of piling up."""
    entries = settings.CELERY_BEAT_SCHEDULE.values()

    assert {entry["options"]["queue"] for entry in entries} == {"sweeps"}
    every = [entry for entry in entries if isinstance(entry["schedule"], float | int)]
    assert all(entry["options"]["expires"] == entry["schedule"] for entry in every)
    # Daily jobs (crontab) expire within the hour: a missed one waits for the next day instead of running late.
    assert all(entry["options"]["expires"] == 3600 for entry in entries if entry not in every)
    assert "sweeps" in {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert "services.accounts.tasks.purge_expired_sessions" in {entry["task"] for entry in entries}


@pytest.mark.django_db
def test_expired_sessions_are_purged():
    """Sessions (web and the app's tokens) past their expiry are deleted; live ones stay."""
    for _ in range(2):
        SessionStore().create()
    Session.objects.filter(pk__in=Session.objects.values("pk")[:1]).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )

    assert purge_expired_sessions.apply().get() == 1
    assert Session.objects.count() == 1


def test_the_supervisor_starts_a_dead_process_again_and_stops_with_it(tmp_path):
    """A command that exits is started again (no faster than every 2 s); SIGTERM stops the command, then itself."""
    starts = tmp_path / "starts"
    command = (
        f"import time; open({str(starts)!r}, 'a').write('x'); "
        f"time.sleep(0.2 if len(open({str(starts)!r}).read()) < 2 else 60)"
    )
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "portal.respawn", sys.executable, "-c", command], cwd=ROOT, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 15
        while (not starts.exists() or len(starts.read_text()) < 2) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.3)  # the second start is under way (it sleeps a minute)
        supervisor.send_signal(signal.SIGTERM)
        code = supervisor.wait(timeout=10)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()

    assert starts.read_text() == "xx"
    assert code == 128 + signal.SIGTERM  # the command's own end, passed on
    assert b"exited with 0; starting it again" in supervisor.stderr.read()
