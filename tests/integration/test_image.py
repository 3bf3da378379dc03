"""The built image (`make image`) runs: its web answers /readyz and /livez on a read-only root filesystem as a
user other than root, and its worker routes an application; both against this machine's PostgreSQL and Redis
(podman with runc on the host's network, as deploy/containers.conf sets it up)."""

import http.client
import json
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from portal.celery import app as celery_app
from services.applications.actions import application_create_draft, application_submit
from services.applications.models import Application, Status
from tests.conftest import unavailable
from tests.factories import VALID_ANSWERS

from .conftest import free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.container, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("PORTAL_IMAGE", "localhost/citizen-portal:latest")
PODMAN = ["podman", "--runtime", "runc"]
PODMAN_ENV = {**os.environ, "CONTAINERS_CONF": str(ROOT / "deploy" / "containers.conf")}


def podman(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([*PODMAN, *args], env=PODMAN_ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 or not check, result.stderr
    return result


@pytest.fixture(scope="module")
def image():
    if not shutil.which("podman"):
        unavailable("the image test needs podman (make image installs it and builds the image)")
    if podman("image", "exists", IMAGE, check=False).returncode != 0:
        unavailable(f"the image {IMAGE} is not built: run make image")
    return IMAGE


@pytest.fixture
def run_container(image, real_services):
    """Start a container of the image on the host's network with the production settings against the test
    database and this run's Redis keys; read-only root filesystem, /tmp in memory. Removed after the test."""
    db = real_services
    environment = {
        "DJANGO_SECRET_KEY": "container-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_HTTPS": "false",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_KEY_PREFIX": settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"],
        "DOCUMENT_SCANNER": "",
        "SMS_BACKEND": "http",  # required outside DEBUG; nothing listens there: an SMS would fall back to email
        "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms",
    }
    names = []

    def run(role: str, **extra: str) -> str:
        name = f"portal-test-{role}-{uuid.uuid4().hex[:8]}"
        flags = [f"--env={key}={value}" for key, value in {**environment, **extra}.items()]
        tmpfs = "/tmp"  # noqa: S108 - a memory filesystem inside the container
        podman(
            "run", "--detach", "--name", name, "--network=host", "--read-only", "--tmpfs", tmpfs, *flags, image, role
        )
        names.append(name)
        return name

    yield run
    for name in names:
        (ROOT / "test-artifacts").mkdir(exist_ok=True)
        (ROOT / "test-artifacts" / f"{name}.log").write_text(podman("logs", name, check=False).stderr)
        podman("rm", "--force", "--time", "5", name, check=False)


def get(port: int, path: str) -> tuple[int, dict] | None:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", path, headers={"Host": "localhost"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    except OSError:
        return None


def scrape(port: int, token: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/metrics", headers={"Host": "localhost", "Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    assert response.status == 200
    return response.read().decode()


def test_the_image_serves_and_its_worker_routes(run_container, service, resident):
    """`web` answers /readyz (database, broker, migrations), /livez and /metrics as uid 10001 on a read-only root,
    and a `worker` for the routing and health queues routes an application submitted here."""
    port = free_port()
    web = run_container("web", PORT=str(port), WEB_CONCURRENCY="2", METRICS_TOKEN="image-test-metrics-token")
    run_container("worker", CELERY_QUEUES="routing,dept.health", CELERY_WORKER_NAME="image-test")

    assert wait_for(lambda: get(port, "/readyz"), timeout=90, what="the web container") == (
        200,
        {"status": "ok", "checks": {"database": "ok", "broker": "ok", "migrations": "ok"}},
    )
    assert get(port, "/livez") == (200, {"status": "ok"})
    healthz = {"status": "ok", "checks": {"database": "ok", "broker": "ok", "queues": "ok"}}
    assert get(port, "/healthz") == (200, healthz)
    metrics = scrape(port, "image-test-metrics-token")  # both gunicorn workers' files, summed
    counts = [line for line in metrics.splitlines() if line.startswith("portal_request_duration_seconds_count{")]
    assert any('view="readyz"' in line and 'status="2xx"' in line for line in counts), metrics
    assert podman("exec", web, "id", "-u").stdout.strip() == "10001"
    assert podman("exec", web, "touch", "/app/x", check=False).returncode != 0  # the root filesystem is read-only
    assert podman("exec", web, "sh", "-c", "command -v gcc cc c++", check=False).stdout == ""  # no compiler

    celery_app.conf.task_always_eager = False
    try:
        draft = application_create_draft(applicant=resident, service=service, answers=VALID_ANSWERS)
        application_submit(application=draft, by=resident)
    finally:
        celery_app.conf.task_always_eager = True

    wait_for(
        lambda: Application.objects.filter(pk=draft.pk, status=Status.ROUTED, intake_checked_at__isnull=False).exists(),
        timeout=90,
        what="the worker container to route the application and run its intake checks",
    )
