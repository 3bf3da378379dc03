"""Real PostgreSQL, Redis and Celery worker processes for the integration tests."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from portal.celery import app as celery_app
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def real_services(django_db_setup, django_db_blocker):
    """Check PostgreSQL and Redis are there: fail under CI=true, skip with the reason elsewhere."""
    from django.db import connection

    if connection.vendor != "postgresql":
        unavailable("integration tests need PostgreSQL: set DATABASE_URL=postgres://... (make test does under CI=true)")
    if not settings.CELERY_BROKER_URL:
        unavailable("integration tests need Redis: set CELERY_BROKER_URL=redis://... (make test does under CI=true)")
    try:
        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis at {settings.CELERY_BROKER_URL} is not reachable: {exc}")
    return connection.settings_dict


def worker_env(db: dict) -> dict:
    """Return the environment of a worker running the production settings against the test database."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.base",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        # Required outside DEBUG; no test resident asks for SMS (the SMS tests start a gateway of their own).
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
    }


class Worker:
    """A `celery worker` subprocess consuming the given queues, logging to test-artifacts/ (a new file per start)."""

    def __init__(self, env: dict, queues: str, name: str, *, supervised: bool = False):
        ARTIFACTS.mkdir(exist_ok=True)
        self.queues, self.name, self.env, self.supervised = queues, name, env, supervised
        self.process, self.starts, self.log = None, 0, ARTIFACTS / f"worker-{name}.log"

    def start(self, timeout: float = 60) -> "Worker":
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", self.queues, "-n", f"{self.name}@%h",
                   "--concurrency", "1", "--without-mingle", "--without-gossip", "-l", "info"]  # fmt: skip
        if self.supervised:  # as make up runs it: started again when it dies (portal/respawn.py)
            command = [sys.executable, "-m", "portal.respawn", *command]
        self.starts += 1
        if self.starts > 1:
            self.log = ARTIFACTS / f"worker-{self.name}-{self.starts}.log"
        with open(self.log, "w") as log:
            # Its own process group, so that kill() takes the pool processes down with it.
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while " ready." not in self.log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.name} did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once, as a machine that loses power would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def pool_pids(self) -> list[int]:
        """Return the pids of the pool processes that run the tasks."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture(scope="session")
def celery_workers(real_services):
    """One worker for the routing queue and one for the health department's intake queue."""
    env = worker_env(real_services)
    workers = [Worker(env, "routing", "routing").start(), Worker(env, "dept.health", "health").start()]
    yield workers
    for worker in workers:
        worker.stop()
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in broker.scan_iter(f"{settings.CELERY_BROKER_TRANSPORT_OPTIONS['global_keyprefix']}*"):
        broker.delete(key)  # this run's keys only (the prefix is per run): other runs may share the Redis


@pytest.fixture
def routing_worker(celery_workers):
    """The session's routing worker, for a test that kills it: started again afterwards if the test left it dead."""
    worker = celery_workers[0]
    yield worker
    if not worker.running:
        worker.start()


@pytest.fixture
def publish_to_broker(celery_workers):
    """Make this test process publish tasks to Redis instead of running them in-process."""
    celery_app.conf.task_always_eager = False
    yield celery_workers
    celery_app.conf.task_always_eager = True


def wait_for(predicate, *, timeout: float = 30, what: str = "condition", workers=()):
    """Poll ``predicate`` until it returns something truthy; fail with the workers' logs on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.1)
    logs = "\n".join(f"--- {w.name}\n{w.log.read_text()[-2000:]}" for w in workers)
    pytest.fail(f"timed out after {timeout}s waiting for {what}\n{logs}")


def free_port() -> int:
    """Return a TCP port free on this machine now (concurrent runs must not share a throwaway server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A throwaway server subprocess at ``url``, ready when ``ready()`` is true: started, stopped, started again."""

    def __init__(self, name: str, command: list[str], *, url: str, ready, env: dict | None = None):
        ARTIFACTS.mkdir(exist_ok=True)
        self.name, self.command, self.url, self.ready, self.env = name, command, url, ready, env
        self.log, self.process = ARTIFACTS / f"{name}.log", None

    def start(self, timeout: float = 30) -> "Server":
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)


@pytest.fixture
def throwaway_redis(real_services):
    """A Redis of this test's own (never the machine's shared one), without persistence, to stop and restart."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = Server(f"redis-{port}", command, url=url, ready=lambda: _answers_ping(url)).start()
    yield server
    server.stop()


def web_answers(base: str) -> bool:
    """Return whether the web server at ``base`` (http://host:port) answers /healthz (200, or 503: no broker)."""
    host, port = base.removeprefix("http://").split(":")
    try:
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        connection.request("GET", "/healthz")
        return connection.getresponse().status in (200, 503)
    except OSError:
        return False


def _answers_ping(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False
