"""Redis with Sentinel (REDIS_SENTINELS): the broker (Celery) and the cache (django-redis) reach the primary the
sentinels name and, after that primary is SIGKILLed and its replica promoted, the new one, without a restart;
against real redis-server processes in sentinel mode, never the machine's shared Redis."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.conftest import unavailable

from .sentinel import MASTER, SentinelCluster

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

# A portal process (production settings): on each line read, write and read a cache key and publish a task,
# retrying for up to 30 s, then print the ports of the Redis servers that the broker and the cache reached.
PORTAL_PROCESS = r"""
import json, sys, time
import django
django.setup()
from django.core.cache import cache
from portal.celery import app

def ports():
    with app.connection_for_write() as connection:
        broker = connection.default_channel.client.info("server")["tcp_port"]
    return {"broker": broker, "cache": cache.client.get_client(write=True).info("server")["tcp_port"]}

for line in sys.stdin:
    step, deadline = line.strip(), time.monotonic() + 30
    while True:
        try:
            cache.set(step, step)
            assert cache.get(step) == step
            app.send_task("tests.sentinel_probe", args=(step,), queue="sentinel-probe")
            print(json.dumps(ports()), flush=True)
            break
        except Exception as exc:
            if time.monotonic() > deadline:
                print(json.dumps({"error": repr(exc)}), flush=True)
                break
            time.sleep(0.2)
"""


@pytest.fixture
def sentinel_cluster(tmp_path):
    if not shutil.which("redis-server"):
        unavailable("the Sentinel tests need redis-server (Debian's redis-server package)")
    cluster = SentinelCluster(tmp_path).start()
    yield cluster
    cluster.stop()


def ask(process: subprocess.Popen, step: str) -> dict:
    process.stdin.write(f"{step}\n")
    process.stdin.flush()
    return json.loads(process.stdout.readline())


def test_the_broker_and_the_cache_follow_the_primary_through_a_failover(sentinel_cluster):
    """Before: both on the primary. The primary SIGKILLed, a replica promoted: both on the new primary, with the
    message published before the failover still queued there, and the process never restarted."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DJANGO_SECRET_KEY": "sentinel-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": "sqlite:///:memory:",
        # The host is the sentinels' to name: only the database number counts here.
        "CELERY_BROKER_URL": "redis://ignored/0",
        "CACHE_URL": "rediscache://ignored/1",
        "CELERY_KEY_PREFIX": "",
        "REDIS_SENTINELS": sentinel_cluster.sentinels,
        "REDIS_SENTINEL_MASTER": MASTER,
    }
    process = subprocess.Popen(
        [sys.executable, "-c", PORTAL_PROCESS], cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        first = sentinel_cluster.primary_port()
        assert ask(process, "before") == {"broker": first, "cache": first}

        killed = sentinel_cluster.kill_primary()
        sentinel_cluster.wait_until(lambda: sentinel_cluster.primary_port() != killed, what="the promotion")
        promoted = sentinel_cluster.primary_port()

        assert ask(process, "after") == {"broker": promoted, "cache": promoted}
        assert redis.Redis(port=promoted).llen("sentinel-probe") == 2  # nothing published before was lost
    finally:
        process.kill()
        process.wait()
