"""compose.yaml (one host, containers) parses with podman-compose, and runs what the portal needs: a worker for
every queue, migrations once before web and the workers, the image's own entry points, required secrets."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from services.catalogue.data import DEPARTMENTS
from services.catalogue.models import department_queue

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
SECRETS = {"DJANGO_SECRET_KEY": "k" * 50, "POSTGRES_PASSWORD": "p", "MINIO_ROOT_PASSWORD": "m"}
PODMAN_COMPOSE = shutil.which("podman-compose", path=str(Path(sys.executable).parent)) or "podman-compose"


def compose_config(**environment: str) -> subprocess.CompletedProcess:
    """Return `podman-compose config`: compose.yaml with its variables filled in and its anchors merged."""
    env = {key: value for key, value in os.environ.items() if key not in SECRETS} | environment
    return subprocess.run(
        [PODMAN_COMPOSE, "-f", str(ROOT / "compose.yaml"), "config"], env=env, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def services() -> dict[str, dict]:
    result = compose_config(**SECRETS)
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)["services"]


def portal_services(services) -> dict[str, dict]:
    return {name: s for name, s in services.items() if s["image"].endswith("citizen-portal:latest")}


def test_every_queue_has_a_worker(services):
    queues = {
        queue
        for service in portal_services(services).values()
        if service["command"] == ["worker"]
        for queue in service["environment"]["CELERY_QUEUES"].split(",")
    }
    wanted = {queue.name for queue in settings.CELERY_TASK_QUEUES} | {department_queue(d[0]) for d in DEPARTMENTS}
    assert wanted <= queues


def test_migrations_run_once_before_web_workers_and_beat(services):
    portal = portal_services(services)
    assert [name for name, s in portal.items() if "migrate" in s["command"]] == ["migrate"]
    for name, service in portal.items():
        if name != "migrate":
            assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert service["read_only"] is True and service["tmpfs"] == ["/tmp"], name  # noqa: S108
        assert service["command"][0] in {"web", "worker", "beat", "manage"}, name


def test_every_dependency_is_a_service_and_every_variable_is_documented(services):
    """A depends_on names a service of the file; the portal's variables are rows of the README's table (the
    workers' CELERY_QUEUES and the like: of the README's table of the image's variables)."""
    for name, service in services.items():
        assert set(service.get("depends_on", {})) <= set(services), name
    for name, service in portal_services(services).items():
        for key in service["environment"]:
            assert f"`{key}`" in README, (name, key)


def test_the_secrets_are_required():
    """Without DJANGO_SECRET_KEY (or the databases' passwords) nothing starts with an insecure default."""
    for secret in SECRETS:
        result = compose_config(**{key: value for key, value in SECRETS.items() if key != secret})
        assert result.returncode != 0 and secret in result.stderr, secret
