"""Restarts under load, in the full mode: residents submit through gunicorn while the broker's Redis is restarted
(empty: what it held is lost, as without its append-only file), or while PostgreSQL is. Every application is routed
and checked exactly once, every worker (each under make up's supervisor) is working afterwards, and the sweeps run
again. Neither server is the machine's shared one: each test starts its own."""

import http.client
import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import psycopg2
import pytest
from django.conf import settings
from django.utils import timezone

from services.applications.models import Application, Status
from services.routing.models import PeriodicRun
from tests.factories import VALID_ANSWERS, UserFactory

from .conftest import ROOT, Server, Worker, free_port, wait_for, web_answers, worker_env
from .private_postgres import PrivatePostgres
from .test_faults import routed_once_each, session_token

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def call(base: str, path: str, *, token: str, key: str, body: dict | None = None):
    """POST with an Idempotency-Key; return (status, body), or (None, {}) when the connection failed."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Content-Type": "application/json", "X-Session-Token": token, "Idempotency-Key": key}
    try:
        connection.request("POST", path, body=json.dumps(body or {}), headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    except (OSError, http.client.HTTPException, ValueError):
        return None, {}
    finally:
        connection.close()


def apply(base: str, token: str, service_slug: str, n: int) -> str:
    """Create and submit one application as an app on a bad day would: each step retried with its key until it
    answers (a 5xx or a lost connection is retried; nothing may be done twice)."""
    steps = [
        ("/api/v1/applications/", f"create-{n}", {"service": service_slug, "answers": VALID_ANSWERS}, 201),
        (None, f"submit-{n}", None, 200),
    ]
    draft_id, deadline = None, time.monotonic() + 90
    for path, key, body, expected in steps:
        path = path or f"/api/v1/applications/{draft_id}/submit/"
        while True:
            status, answer = call(base, path, token=token, key=key, body=body)
            if status == expected:
                break
            assert status is None or status >= 500 or status == 409, (status, answer)
            assert time.monotonic() < deadline, f"{path} kept failing: {status} {answer}"
            time.sleep(0.5)
        draft_id = answer["id"]
    assert answer["status"] == "submitted", answer
    return draft_id


def _failed(futures) -> bool:
    """Raise the first failure of the residents' threads at once, rather than after the wait's timeout."""
    for future in futures:
        if future.done() and future.exception():
            raise future.exception()
    return False


@contextmanager
def full_mode(env: dict, tmp_path):
    """gunicorn, beat and the workers of the Procfile that routing needs (routing, sweeps, health), each supervised
    as make up runs them, with ``env``; yield the web's address and the workers."""
    env = {
        **env,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the session tokens made here are valid there
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "false",
        "ROUTING_SWEEP_AFTER_SECONDS": "3",
        "ROUTING_SWEEP_EVERY_SECONDS": "2",
        "SWEEP_REPUBLISH_AFTER_SECONDS": "15",
    }
    base = f"http://127.0.0.1:{free_port()}"
    gunicorn = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", base.removeprefix("http://"),
                "--workers", "2"]  # fmt: skip
    beat = [sys.executable, "-m", "portal.respawn", sys.executable, "-m", "celery", "-A", "portal", "beat",
            "-s", str(tmp_path / "beat-schedule")]  # fmt: skip
    workers = [
        Worker(env, "routing,default", "restart-routing", supervised=True),
        Worker(env, "sweeps", "restart-sweeps", supervised=True),
        Worker(env, "dept.health", "restart-health", supervised=True),
    ]
    processes = []
    try:
        for worker in workers:
            processes.append(worker.start())
        processes.append(Server("beat-restarts", beat, url="", ready=lambda: True, env=env).start())
        web = Server("web-restarts", gunicorn, url=base, ready=lambda: web_answers(base), env=env)
        processes.append(web.start(timeout=60))
        yield base, workers
    finally:
        for process in reversed(processes):
            process.stop()


def test_a_redis_restart_under_load_leaves_every_worker_working_and_routes_each_application_once(
    real_services, throwaway_redis, service, tmp_path
):
    """40 residents submit, 8 at a time; after the first 10 submissions Redis is stopped for 3 s and started again
    empty. Every submission is answered, every application routed and checked once; afterwards every worker is
    running, a new application is routed within seconds, and the sweeps have run since the restart."""
    tokens = [session_token(UserFactory()) for _ in range(40)]
    env = {**worker_env(real_services), "CELERY_BROKER_URL": throwaway_redis.url}
    with full_mode(env, tmp_path) as (base, workers):
        _redis_restart_under_load(base, workers, throwaway_redis, tokens, service)


def _redis_restart_under_load(base, workers, redis_server, tokens, service) -> None:
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(apply, base, token, service.slug, n) for n, token in enumerate(tokens)]
        wait_for(lambda: _failed(futures) or Application.objects.exclude(status=Status.DRAFT).count() >= 10,
                 timeout=60, what="10 submissions", workers=workers)  # fmt: skip
        redis_server.stop()
        time.sleep(3)
        redis_server.start()
        restarted_at = timezone.now()
        submitted = [future.result() for future in futures]

    wait_for(
        lambda: Application.objects.filter(intake_checked_at__isnull=False).count() == 40,
        timeout=120,
        what="all 40 routed and checked",
        workers=workers,
    )
    all_done = time.monotonic() - started
    routed_once_each(40)
    assert len(set(submitted)) == 40

    later = apply(base, session_token(UserFactory()), service.slug, 99)
    wait_for(
        lambda: Application.objects.filter(public_id=later, intake_checked_at__isnull=False).exists(),
        timeout=30,
        what="an application submitted after the restart to be routed and checked",
        workers=workers,
    )
    wait_for(
        lambda: PeriodicRun.objects.filter(name="sweep_routing", finished_at__gt=restarted_at).exists(),
        timeout=30,
        what="a routing sweep since the restart",
        workers=workers,
    )
    assert all(worker.running for worker in workers)
    restarts = {worker.name: worker.log.read_text().count("respawn: ") for worker in workers}
    print(f"\nRedis restarted under load: all 40 routed and checked {all_done:.1f}s after the first submission; "  # noqa: T201
          f"workers started again by the supervisor: {restarts}")  # fmt: skip


SEED = """
import json, django
django.setup()
from django.test import Client
from tests.factories import DepartmentFactory, ServiceFactory, UserFactory
service = ServiceFactory(department=DepartmentFactory(code="health", reference_prefix="HLT"))
tokens = []
for _ in range(%d):
    client = Client()
    client.force_login(UserFactory())
    tokens.append(client.session.session_key)
print(json.dumps({"service": service.slug, "tokens": tokens}))
"""


def _count(url: str, sql: str) -> int:
    try:
        with psycopg2.connect(url, connect_timeout=2) as connection, connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    except psycopg2.OperationalError:  # restarting
        return -1


def test_a_postgresql_restart_under_load_loses_nothing_and_routes_each_application_once(
    real_services, throwaway_redis, tmp_path
):
    """30 residents submit, 8 at a time, against a PostgreSQL of this test's own; after the first 8 submissions it is
    stopped (every connection ended) for 3 s and started again. The app's retries (same keys) get every submission
    answered; every application is routed and checked once, and the workers work on afterwards."""
    postgres = PrivatePostgres()
    try:
        postgres.create()
        env = {
            **worker_env(real_services),
            "DATABASE_URL": postgres.url,
            "CELERY_BROKER_URL": throwaway_redis.url,
            "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the seed's session tokens are checked by the web server
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                       check=True, timeout=600)  # fmt: skip
        seeded = subprocess.run([sys.executable, "-c", SEED % 31], cwd=ROOT, env=env, check=True, timeout=120,
                                capture_output=True, text=True)  # fmt: skip
        seed = json.loads(seeded.stdout.splitlines()[-1])
        with full_mode(env, tmp_path) as (base, workers):
            _postgres_restart_under_load(base, workers, postgres, seed)
    finally:
        postgres.destroy()


def _postgres_restart_under_load(base, workers, postgres, seed) -> None:
    submitted_sql = "SELECT count(*) FROM applications_application WHERE status <> 'draft'"
    checked_sql = "SELECT count(*) FROM applications_application WHERE intake_checked_at IS NOT NULL"
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(apply, base, token, seed["service"], n) for n, token in enumerate(seed["tokens"][:30])]
        wait_for(lambda: _failed(futures) or _count(postgres.url, submitted_sql) >= 8, timeout=60,
                 what="8 submissions", workers=workers)  # fmt: skip
        postgres.stop()
        time.sleep(3)
        postgres.start()
        submitted = [future.result() for future in futures]

    wait_for(lambda: _count(postgres.url, checked_sql) == 30, timeout=120, what="all 30 checked", workers=workers)
    all_done = time.monotonic() - started
    twice = _count(
        postgres.url,
        "SELECT count(*) FROM (SELECT application_id FROM applications_applicationevent WHERE to_status = 'routed' "
        "OR note = 'intake_checked' GROUP BY application_id, to_status, note HAVING count(*) > 1) AS repeated",
    )
    assert len(set(submitted)) == 30 and twice == 0
    assert _count(postgres.url, "SELECT count(*) FROM applications_application") == 30  # no second draft

    later = apply(base, seed["tokens"][30], seed["service"], 99)
    wait_for(lambda: _count(postgres.url, checked_sql) == 31, timeout=30, what="a later application", workers=workers)
    assert later and all(worker.running for worker in workers)
    restarts = {worker.name: worker.log.read_text().count("respawn: ") for worker in workers}
    print(f"\nPostgreSQL restarted under load: all 30 routed and checked {all_done:.1f}s after the first "  # noqa: T201
          f"submission; workers started again by the supervisor: {restarts}")  # fmt: skip
