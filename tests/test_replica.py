"""DATABASE_REPLICA_URL: the catalogue and the public statistics read from the replica; the signed-in resident's
session and account, and every write, stay on the primary. Two SQLite files stand for the primary and a replica
that differs from it (a replica's lag, made visible): whatever a page shows says where it was read."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Requests through Django's test client in a process with the production settings and both databases.
SCRIPT = r"""
import json, django
django.setup()
from django.test import Client
from services.accounts.models import User

email = "only-on-the-primary@replica.test"  # made after the copy: never on the replica
resident = User.objects.filter(email=email).first() or User.objects.create_user(email=email, password="x")
client = Client(HTTP_ACCEPT_LANGUAGE="en")
client.cookies["django_language"] = "en"
client.force_login(resident)
api = client.get("/api/v1/services/").json()
page = client.get("/services/").content.decode()
print(json.dumps({
    "api_titles": [service["title"] for service in (api["results"] if isinstance(api, dict) else api)],
    "page_from_replica": "(replica)" in page,
    "page_signed_in": "only-on-the-primary@replica.test" in page or "account-menu" in page,
    "statistics": client.get("/statistics/").status_code,
    "profile": client.get("/applications/").status_code,
    "users_on_primary": User.objects.filter(email=resident.email).count(),
}))
"""


@pytest.fixture(scope="module")
def databases(tmp_path_factory) -> dict:
    """A migrated primary with the catalogue, and its copy as the replica, whose service titles end "(replica)"."""
    folder = tmp_path_factory.mktemp("replica")
    primary, replica = folder / "primary.sqlite3", folder / "replica.sqlite3"
    env = environment(primary)
    for command in (["migrate", "--noinput"], ["load_catalogue"]):
        result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True,
                                text=True)  # fmt: skip
        assert result.returncode == 0, result.stderr
    shutil.copy(primary, replica)
    with sqlite3.connect(replica) as db:
        db.execute("UPDATE catalogue_service SET title_en = title_en || ' (replica)'")
    return {"primary": primary, "replica": replica}


def environment(primary: Path, replica: Path | None = None) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    # The test settings (no collected static files needed), on these two files instead of the test database.
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", DATABASE_URL=f"sqlite:///{primary}", LOG_FORMAT="plain")
    if replica:
        env["DATABASE_REPLICA_URL"] = f"sqlite:///{replica}"
    return env


def serve(env: dict) -> dict:
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_catalogue_and_statistics_read_the_replica_and_the_resident_the_primary(databases):
    found = serve(environment(databases["primary"], databases["replica"]))

    assert found["api_titles"] and all(title.endswith("(replica)") for title in found["api_titles"])
    assert found["page_from_replica"] and found["page_signed_in"]  # the session and account: from the primary
    assert (found["statistics"], found["profile"]) == (200, 200)
    assert found["users_on_primary"] == 1


def test_without_a_replica_everything_reads_the_primary(databases):
    found = serve(environment(databases["primary"]))

    assert found["api_titles"] and not any(title.endswith("(replica)") for title in found["api_titles"])
    assert not found["page_from_replica"] and found["page_signed_in"]
