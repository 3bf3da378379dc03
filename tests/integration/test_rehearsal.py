"""The failover rehearsal, on one machine: two gunicorn "nodes" behind HAProxy, Redis with a replica and three
sentinels, two routing workers, a health department worker, the sweeps worker and beat. 300 residents submit
through HAProxy while one web node is SIGKILLed, the Redis primary is SIGKILLed (the sentinels promote its replica)
and a routing worker is SIGKILLed. Every application is submitted (the client retries with its Idempotency-Key),
routed and checked exactly once, no answer is a 5xx but a 503 (HAProxy's own 502 page, when a node died under a
request it could not send again, is retried by the client as any app would), and nothing is restarted by hand.
Run alone: CI=true make test PYTEST_ARGS="-m rehearsal -s" (the figures are printed)."""

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db.models import Count

from services.accounts.models import User
from services.applications.models import Application, Status
from tests.conftest import unavailable
from tests.factories import VALID_ANSWERS

from .conftest import ARTIFACTS, Worker, free_port, wait_for, worker_env
from .sentinel import MASTER, SentinelCluster
from .test_faults import routed_once_each, session_token

pytestmark = [pytest.mark.integration, pytest.mark.rehearsal, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
RESIDENTS = 300
# HAProxy as a cluster's load balancer would be set: health checks on /livez every half second, and a request
# whose node died under it (no connection, no answer or half an answer) sent again to the other node: the API's
# unsafe requests carry an Idempotency-Key, so a request run twice acts once.
HAPROXY = """
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 5s
    retries 3
    option redispatch
    retry-on conn-failure empty-response junk-response response-timeout
frontend portal
    bind 127.0.0.1:{port}
    default_backend web
backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /livez hdr Host localhost
    http-check expect status 200
    default-server check inter 500ms fall 3 rise 2
    server web1 127.0.0.1:{web1}
    server web2 127.0.0.1:{web2}
"""


class Process:
    """A subprocess in its own process group (a "node"): SIGKILLed whole, as a machine losing power."""

    def __init__(self, name: str, command: list[str], env: dict):
        self.log = ARTIFACTS / f"rehearsal-{name}.log"
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)  # fmt: skip

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def http_call(port: int, method: str, path: str, headers: dict, body: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        content = response.read()
        if response.getheader("Content-Type", "").startswith(("application/json", "application/problem+json")):
            return response.status, json.loads(content)
        return response.status, {"text": content.decode(errors="replace")}  # HAProxy's own pages
    finally:
        connection.close()


class Resident:
    """The app of one resident: each unsafe request with its own Idempotency-Key, retried with the same key on a
    connection error, on a 409 "still being processed", on a 503 and on the load balancer's own 502 page, with a short
    pause, for up to 60 s."""

    tally: Counter = Counter()
    lock = threading.Lock()

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token

    def get(self, path: str) -> tuple[int, dict]:
        return http_call(self.port, "GET", path, {"X-Session-Token": self.token, "Host": "localhost"})

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json", "X-Session-Token": self.token, "Host": "localhost",
                   "Idempotency-Key": str(uuid.uuid4())}  # fmt: skip
        deadline, pause = time.monotonic() + 60, 0.1
        while True:
            try:
                status, body_out = http_call(self.port, "POST", path, headers, body)
                outcome = f"{status}" if status != 409 else f"409 {body_out.get('code')}"
                gateway = status == 502 and "text" in body_out  # HAProxy's page, not the portal's problem
                outcome += " (load balancer)" if gateway else ""
            except (OSError, http.client.HTTPException) as error:
                status, body_out, gateway = None, {}, False
                outcome = f"connection error ({type(error).__name__})"
            with self.lock:
                self.tally[outcome] += 1
            retry = status in (None, 503) or gateway or body_out.get("code") == "idempotency_key_in_use"
            if not retry or time.monotonic() > deadline:
                return status, body_out
            time.sleep(pause)
            pause = min(pause * 2, 1.0)


def test_failover_rehearsal(real_services, service, settings, tmp_path):
    for program in ("haproxy", "redis-server"):
        if not _installed(program):
            unavailable(f"the rehearsal needs {program} (Debian's package)")
    cluster = SentinelCluster(tmp_path).start()
    env = {
        **worker_env(real_services),
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are valid on the nodes
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_HTTPS": "false",
        "REDIS_SENTINELS": cluster.sentinels,
        "REDIS_SENTINEL_MASTER": MASTER,
        "CELERY_BROKER_URL": "redis://sentinel/0",
        "CACHE_URL": "rediscache://sentinel/1",
        "ROUTING_SWEEP_AFTER_SECONDS": "5",
        "ROUTING_SWEEP_EVERY_SECONDS": "2",
        "BROKER_DOWN_PAUSE_SECONDS": "1",
        "SWEEP_REPUBLISH_AFTER_SECONDS": "10",  # what the failover lost is published again within seconds
        "API_THROTTLE_USER": "100000/min",
        "API_THROTTLE_ANON": "100000/min",
    }
    web_ports, lb_port = [free_port(), free_port()], free_port()
    (tmp_path / "haproxy.cfg").write_text(HAPROXY.format(port=lb_port, web1=web_ports[0], web2=web_ports[1]))
    nodes = [
        Process(
            f"web{n + 1}",
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
            env,
        )  # fmt: skip
        for n, port in enumerate(web_ports)
    ]
    haproxy = Process("haproxy", ["haproxy", "-db", "-f", str(tmp_path / "haproxy.cfg")], env)
    workers = [Worker(env, "routing,default", "rehearsal-routing-a").start(),
               Worker(env, "routing,default", "rehearsal-routing-b").start(),
               Worker(env, "dept.health", "rehearsal-health").start(),
               Worker(env, "sweeps", "rehearsal-sweeps").start()]  # fmt: skip  # beat's jobs: the sweeps recover
    beat = Process("beat", [sys.executable, "-m", "celery", "-A", "portal", "beat", "-s", str(tmp_path / "beat")], env)
    try:
        for port in (*web_ports, lb_port):
            wait_for(lambda p=port: _live(p), timeout=60, what=f"the web on {port}")
        users = User.objects.bulk_create(User(email=f"r{n}@rehearsal.test") for n in range(RESIDENTS))
        residents = [Resident(lb_port, session_token(user)) for user in users]
        figures = _submit_while_killing(residents, service, nodes[0], cluster, workers[0])
        started = figures["finished"]
        wait_for(
            lambda: Application.objects.filter(intake_checked_at__isnull=False).count() == RESIDENTS,
            timeout=180,
            what="every application routed and checked",
            workers=workers,
        )
        converged = time.monotonic() - started
    finally:
        for process in (beat, haproxy, *nodes):
            process.kill()
        for worker in workers:
            worker.stop()
        cluster.stop()

    tally = dict(Resident.tally)
    # One submitted application each: no retry submitted a second. (A node killed between creating a draft and
    # answering can leave a draft behind, which the retry replaces; drafts are purged after DRAFT_RETENTION_DAYS.)
    submitted = Application.objects.exclude(status=Status.DRAFT)
    assert submitted.count() == RESIDENTS
    assert not submitted.values("applicant").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Application.objects.filter(status=Status.SUBMITTED).exists()
    left_drafts = Application.objects.filter(status=Status.DRAFT).count()
    routed_once_each(RESIDENTS)
    server_errors = {
        outcome: n
        for outcome, n in tally.items()
        if outcome.startswith("5") and outcome != "503" and "load balancer" not in outcome
    }
    assert server_errors == {}, tally
    print(  # noqa: T201 - the rehearsal's figures, shown with -s
        f"\nrehearsal: {RESIDENTS} residents submitted in {figures['seconds']:.1f}s through HAProxy; "
        f"submit p50 {figures['p50']:.2f}s, p99 {figures['p99']:.2f}s, slowest {figures['max']:.2f}s; "
        f"web node killed after {figures['killed_web']}, Redis primary after {figures['killed_redis']} "
        f"(replica promoted in {figures['promotion']:.1f}s), routing worker after {figures['killed_worker']}; "
        f"all routed and checked {converged:.1f}s after the last submission; drafts left by a killed node: "
        f"{left_drafts}; answers: {tally}"
    )


def _submit_while_killing(residents, service, web_node, cluster, routing_worker) -> dict:
    """Let every resident create and submit an application, 8 at a time; SIGKILL a web node after a quarter of
    them, the Redis primary after half and a routing worker after three quarters. Return the figures."""
    done, durations, figures = [0], [], {}

    def apply(resident: Resident) -> None:
        status, draft = resident.post("/api/v1/applications/", {"service": service.slug, "answers": VALID_ANSWERS})
        assert status == 201, (status, draft)
        started = time.monotonic()
        status, submitted = resident.post(f"/api/v1/applications/{draft['id']}/submit/")
        if status == 409:  # its first attempt submitted it on the node that died before it could answer: look
            status, submitted = resident.get(f"/api/v1/applications/{draft['id']}/")
        assert status == 200 and submitted.get("status") != "draft", (status, submitted)
        with Resident.lock:
            durations.append(time.monotonic() - started)
            done[0] += 1

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(apply, resident) for resident in residents]
        steps = [
            (RESIDENTS // 4, "killed_web"),
            (RESIDENTS // 2, "killed_redis"),
            (3 * RESIDENTS // 4, "killed_worker"),
        ]
        for threshold, name in steps:
            while done[0] < threshold and not all(f.done() for f in futures):
                time.sleep(0.02)
            figures[name] = done[0]
            if name == "killed_web":
                web_node.kill()
            elif name == "killed_redis":
                killed, at = cluster.kill_primary(), time.monotonic()
                cluster.wait_until(lambda k=killed: cluster.primary_port() != k, what="the promotion", timeout=60)
                figures["promotion"] = time.monotonic() - at
            else:
                routing_worker.kill()
        for future in futures:
            future.result()
    durations.sort()
    figures.update(seconds=time.monotonic() - began, finished=time.monotonic(), max=durations[-1])
    figures.update(p50=statistics.median(durations), p99=durations[int(len(durations) * 0.99) - 1])
    return figures


def _live(port: int) -> bool:
    try:
        return http_call(port, "GET", "/livez", {"Host": "localhost"})[0] == 200
    except (OSError, http.client.HTTPException):
        return False


def _installed(program: str) -> bool:
    return any((Path(folder) / program).exists() for folder in os.environ.get("PATH", "").split(os.pathsep))
