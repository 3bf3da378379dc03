"""Nothing lost, nothing twice: a routing message delivered twice, the routing worker killed in the middle of 500
applications, and Redis down while residents submit; on PostgreSQL, Redis and real worker processes."""

import http.client
import json
import os
import signal
import statistics
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import transaction
from django.test import Client

from services.accounts.models import User
from services.applications.actions import application_create_draft, application_submit
from services.applications.models import Application, ApplicationEvent, Status
from services.routing.selectors import broker_status
from services.routing.tasks import route_application, route_submitted, sweep_routing
from tests.factories import VALID_ANSWERS, ApplicationFactory, UserFactory

from .conftest import Server, Worker, free_port, wait_for, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def routed_once_each(expected: int) -> None:
    """Assert that ``expected`` applications were each routed, and intake-checked, exactly once."""
    routings = Counter(ApplicationEvent.objects.filter(to_status=Status.ROUTED).values_list("application", flat=True))
    intakes = Counter(ApplicationEvent.objects.filter(note="intake_checked").values_list("application", flat=True))
    assert (len(routings), set(routings.values())) == (expected, {1})
    assert (len(intakes), set(intakes.values())) == (expected, {1})
    assert not Application.objects.filter(status=Status.SUBMITTED).exists()


@pytest.mark.parametrize("batch", [False, True], ids=["its-own-message", "a-batch"])
def test_the_same_routing_message_delivered_twice_routes_once_and_runs_intake_once(
    publish_to_broker, real_services, service, resident, batch
):
    """Two routing workers each get a copy of one message (a redelivery), the application's own or a batch's: one
    routing event, one intake."""
    twin = Worker(worker_env(real_services), "routing", "routing-twin").start()
    workers = [*publish_to_broker, twin]
    try:
        application = ApplicationFactory(applicant=resident, service=service, submitted=True)
        task_id = str(uuid.uuid4())
        task, args = (route_submitted, ()) if batch else (route_application, (application.pk,))
        for _copy in range(2):
            task.apply_async(args, task_id=task_id)

        def both_copies_ran():
            return sum(w.log.read_text().count(f"[{task_id}] succeeded") for w in workers) == 2

        wait_for(both_copies_ran, what="both copies of the message to be processed", workers=workers)
        wait_for(
            lambda: Application.objects.filter(pk=application.pk, intake_checked_at__isnull=False).exists(),
            what="the intake checks",
            workers=workers,
        )
    finally:
        twin.stop()
    routed_once_each(1)


@pytest.fixture
def routing_in_small_batches(routing_worker, real_services):
    """The routing worker and a twin, both routing batches of 5 (SKIP LOCKED between them), so that a kill lands
    mid-batch; the worker is given back with the usual batch size afterwards."""
    usual, small = routing_worker.env, {**worker_env(real_services), "ROUTING_BATCH_SIZE": "5"}
    routing_worker.stop()
    routing_worker.env = small
    twin = Worker(small, "routing", "routing-twin").start()
    yield routing_worker.start(), twin
    twin.stop()
    if routing_worker.running:
        routing_worker.stop()
    routing_worker.env = usual
    routing_worker.start()


@pytest.mark.fault
def test_500_applications_are_each_routed_exactly_once_though_the_routing_worker_is_killed(
    publish_to_broker, routing_in_small_batches, service, settings
):
    """500 submissions routed in batches by two workers; one worker's pool process is SIGKILLed (its batch is rolled
    back and its message goes back to the queue), then that whole worker is SIGKILLed and started again: every
    application is routed once, none is lost."""
    settings.ROUTING_SWEEP_AFTER_SECONDS = 0
    settings.CELERY_TASK_ALWAYS_EAGER = False  # this process reads the broker's queues
    routing_worker, twin = routing_in_small_batches
    workers = [*publish_to_broker, twin]
    started = time.monotonic()
    residents = User.objects.bulk_create(User(email=f"resident{n}@kill.test") for n in range(500))
    with transaction.atomic():  # 500 submissions, published in one burst when they commit
        for resident in residents:
            draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)
            application_submit(application=draft, by=resident)
    submitted_in = time.monotonic() - started

    def routed() -> int:
        return Application.objects.exclude(status=Status.SUBMITTED).count()

    wait_for(lambda: routed() >= 100, timeout=60, what="100 applications routed", workers=workers)
    [pool_process] = routing_worker.pool_pids()
    os.kill(pool_process, signal.SIGKILL)  # mid-task: reject on worker lost puts its message back
    wait_for(lambda: routed() >= 250, timeout=60, what="250 applications routed", workers=workers)
    routing_worker.kill()  # the whole worker, as a machine losing power: its unacknowledged message stays behind
    routed_when_killed = routed()
    assert routed_when_killed < 500
    # Until now only batch messages ran (the sweep below publishes each stuck application on its own, as many as a
    # busy machine leaves stuck): a batch routes its rows at one time, so batches of 5 give a fifth as many times.
    batches = Application.objects.exclude(status=Status.SUBMITTED).values("routed_at").distinct().count()
    assert batches < routed_when_killed / 2, (batches, routed_when_killed)
    routing_worker.start()

    last_sweep = [0.0]

    def all_done() -> bool:
        if Application.objects.filter(intake_checked_at__isnull=False).count() == 500:
            return True
        depths = broker_status(queues=["routing", "dept.health"])["depths"]
        if not any(depths.values()) and time.monotonic() - last_sweep[0] > 2:
            sweep_routing.apply()  # beat's next run publishes again what the killed worker took with it
            last_sweep[0] = time.monotonic()
        return False

    wait_for(all_done, timeout=120, what="all 500 routed and checked", workers=workers)
    routed_once_each(500)
    print(  # noqa: T201 - the figures for the README, shown with -s
        f"\n500 submitted in {submitted_in:.1f}s; {routed_when_killed} routed when the worker was killed; "
        f"all routed and checked {time.monotonic() - started:.1f}s after the first submission; "
        f"{batches} batches had routed those by the kill"
    )


def request(base: str, method: str, path: str, token: str = "", body: dict | None = None) -> tuple[int, dict, float]:
    """Send one HTTP request to the web server; return the status, the JSON body and the seconds it took."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    started = time.monotonic()
    headers = {"Content-Type": "application/json", "X-Session-Token": token} if token else {}
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, json.loads(content or b"{}"), time.monotonic() - started


def session_token(user) -> str:
    """Return an app session token for ``user`` (allauth's app tokens are session keys)."""
    client = Client()
    client.force_login(user)
    return client.session.session_key


@pytest.mark.fault
def test_residents_submit_while_redis_is_down_and_the_sweep_routes_them_once_it_is_back(
    real_services, throwaway_redis, service, settings, tmp_path
):
    """With the broker stopped, 50 residents submit through the API of a real web server: every submit answers
    success at once and every row is saved; Redis comes back empty, and beat's sweep routes them all, once each."""
    env = {
        **worker_env(real_services),
        "CELERY_BROKER_URL": throwaway_redis.url,
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are valid there
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "false",
        "ROUTING_SWEEP_AFTER_SECONDS": "1",
        "ROUTING_SWEEP_EVERY_SECONDS": "1",
    }
    base = f"http://127.0.0.1:{free_port()}"
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi",
        "--bind",
        base.removeprefix("http://"),
        "--workers",
        "4",
    ]

    def healthz() -> int | None:
        try:
            return request(base, "GET", "/healthz")[0]
        except OSError:
            return None

    web = Server("web-broker-down", gunicorn, url=base, ready=lambda: healthz() is not None, env=env).start()
    tokens = [session_token(UserFactory()) for _ in range(50)]
    beat = worker = None
    try:
        assert healthz() == 200
        throwaway_redis.stop()
        assert healthz() == 503

        def apply(token: str) -> tuple[int, float]:
            new = {"service": service.slug, "answers": VALID_ANSWERS}
            status, draft, _ = request(base, "POST", "/api/v1/applications/", token, new)
            assert status == 201, draft
            status, body, seconds = request(base, "POST", f"/api/v1/applications/{draft['id']}/submit/", token)
            assert body.get("status") == "submitted", body
            return status, seconds

        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(apply, tokens))

        assert [status for status, _ in answers] == [200] * 50
        # No hang: a publish that waited on the broker (the old retry policy: about 2 s a message, several
        # messages a submission) would show here; the bounds leave room for a loaded test machine.
        slowest, median = max(s for _, s in answers), statistics.median(s for _, s in answers)
        assert slowest < 5 and median < 1, f"submits with the broker down: slowest {slowest:.2f}s, median {median:.2f}s"
        assert Application.objects.filter(status=Status.SUBMITTED).count() == 50

        throwaway_redis.start()  # back, and empty: nothing was published while it was down
        worker = Worker(env, "routing,default,sweeps,dept.health", "after-outage").start()
        beat = Server(
            "beat-after-outage",
            [sys.executable, "-m", "celery", "-A", "portal", "beat", "-s", str(tmp_path / "beat-schedule")],
            url="",
            ready=lambda: True,
            env=env,
        ).start()
        wait_for(
            lambda: Application.objects.filter(intake_checked_at__isnull=False).count() == 50,
            timeout=60,
            what="the sweep to route all 50",
            workers=[worker],
        )
    finally:
        for process in (beat, worker, web):
            if process:
                process.stop()
    routed_once_each(50)
    print(f"\nsubmits with the broker down: slowest {slowest:.3f}s, median {median:.3f}s")  # noqa: T201
