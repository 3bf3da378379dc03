"""The mail server refusing connections and the SMS gateway hanging, in the full mode (gunicorn, the two
notification workers of the Procfile, Redis): residents' submissions answer on time, their inbox has the message at
once, and the SMS (after three 1-second timeouts the gateway's circuit opens) falls back to email."""

import http.client
import json
import socket
import sys
import time

import pytest
from django.conf import settings

from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from tests.factories import VALID_ANSWERS, ResidentProfileFactory
from tests.notifications.conftest import LocalGateway

from .conftest import Server, Worker, free_port, wait_for, web_answers, worker_env
from .test_faults import session_token

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.django_db(transaction=True)]


def post(base: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict, float]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    started = time.monotonic()
    headers = {"Content-Type": "application/json", "X-Session-Token": token}
    connection.request("POST", path, body=json.dumps(body or {}), headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read() or b"{}")
    connection.close()
    return response.status, answer, time.monotonic() - started


def test_smtp_refused_and_sms_hanging_leave_submissions_and_the_inbox_on_time(real_services, throwaway_redis, service):
    """Ten residents who chose SMS only submit: each submit answers within a second, and their routing tells each once,
    the inbox message delivered at once; each SMS fails (three timeouts, then the open circuit) and an email takes
    over."""
    gateway = LocalGateway()
    gateway.hang = True
    with socket.socket() as probe:  # nothing listens there: the mail server refuses
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    env = {
        **worker_env(real_services),
        "CELERY_BROKER_URL": throwaway_redis.url,
        # One cache for web and workers: the routing's coalesced wake-up mark (services/common/tasks.py) is shared.
        "CACHE_URL": throwaway_redis.url.replace("redis://", "rediscache://", 1).rsplit("/", 1)[0] + "/1",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "false",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "SMS_BACKEND": "http",
        "SMS_GATEWAY_URL": gateway.url,
        "SMS_GATEWAY_TIMEOUT_SECONDS": "1",
    }
    base = f"http://127.0.0.1:{free_port()}"
    gunicorn = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", base.removeprefix("http://"),
                "--workers", "2"]  # fmt: skip
    workers = [
        Worker(env, "routing", "faults-routing"),  # the routing tells of the submissions
        Worker(env, "notifications,notifications.email", "faults-notifications"),
        Worker(env, "notifications.sms,notifications.push", "faults-gateways"),
    ]
    residents = [
        ResidentProfileFactory(phone="13900139000", notify_by_sms=True, notify_by_email=False, id_number=None).user
        for _ in range(10)
    ]
    processes = []
    try:
        for worker in workers:
            processes.append(worker.start())
        web = Server("web-notification-faults", gunicorn, url=base, ready=lambda: web_answers(base), env=env)
        processes.append(web.start(timeout=60))
        timings = []
        for resident in residents:
            token = session_token(resident)
            status, draft, _ = post(
                base, "/api/v1/applications/", token, {"service": service.slug, "answers": VALID_ANSWERS}
            )
            assert status == 201, draft
            status, submitted, seconds = post(base, f"/api/v1/applications/{draft['id']}/submit/", token)
            assert status == 200, submitted
            timings.append(seconds)

        def every_sms_fell_back() -> bool:
            submitted = Notification.objects.filter(event=Event.SUBMITTED)  # the routing's own are told too
            failed = submitted.filter(channel=Channel.SMS, status=DeliveryStatus.FAILED).count()
            emails = submitted.filter(channel=Channel.EMAIL, recipient__in=residents).count()
            return failed == 10 and emails == 10

        wait_for(every_sms_fell_back, timeout=90, what="every SMS to fail over to email", workers=workers)
    finally:
        for process in reversed(processes):
            process.stop()
        gateway.close()

    inbox = Notification.objects.filter(channel=Channel.IN_APP, event=Event.SUBMITTED, status=DeliveryStatus.SENT)
    assert sorted(inbox.values_list("recipient_id", flat=True)) == sorted(resident.pk for resident in residents)
    assert max(timings) < 1, timings
    assert len(gateway.received) < 10  # the open circuit spared the gateway the rest
    print(f"\nsubmits with SMTP refused and SMS hanging: slowest {max(timings):.3f}s; "  # noqa: T201
          f"{len(gateway.received)} SMS reached the gateway before its circuit opened")  # fmt: skip
