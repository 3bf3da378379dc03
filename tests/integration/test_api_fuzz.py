"""schemathesis against the live schema: a real gunicorn on PostgreSQL, every operation of /api/schema/, at least
100 generated cases each, as a resident logged in through the app API; no 5xx and no answer outside the schema.

The resident owns an object in the right state for each operation that names one (a draft to edit, another to
submit, a submitted application to withdraw, a decided one to rate and read the letter of, an open information
request, a document, a notification, a finished export), so that generated requests reach the code behind the
lookup instead of stopping at a 404. The CLI runs as a subprocess (its own workers, report and exit code).
"""

import datetime as dt
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from services.accounts.models import DataExport, Device
from services.applications.actions import application_decide, application_request_information
from services.catalogue.actions import catalogue_load
from services.catalogue.data import CATALOGUE
from services.catalogue.models import Service
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from tests.factories import (
    ApplicationFactory,
    DepartmentFactory,
    DocumentFactory,
    ResidentProfileFactory,
    ServiceFactory,
    StaffFactory,
)

from .conftest import ARTIFACTS, Server, free_port, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

PASSWORD = "fuzz-resident-passphrase"
MAX_EXAMPLES = 100
CHECKS = os.environ.get(  # SCHEMATHESIS_CHECKS to try more of its checks
    "SCHEMATHESIS_CHECKS",
    "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
)
ST = Path(sys.executable).with_name("st")


def seed_resident() -> tuple[str, dict[str, dict[str, str]]]:
    """Create a resident with an object for every operation that names one; return their email and, per operation
    (schemathesis's ``METHOD /path`` name), the path parameters that name their objects."""
    catalogue_load(data=CATALOGUE)
    profile = ResidentProfileFactory(user__email="fuzz.resident@example.test")
    resident = profile.user
    resident.password = PBKDF2PasswordHasher().encode(PASSWORD, "fuzzsalt0123")  # a hasher the server knows
    resident.save(update_fields=["password"])
    service = ServiceFactory(department=DepartmentFactory(code="fuzz", reference_prefix="FUZ"))
    caseworker = StaffFactory(department=service.department)

    def application(**traits):
        return ApplicationFactory(service=service, applicant=resident, **traits)

    def in_review():
        return application(in_review=True, assignee=caseworker, submitted_at=timezone.now())

    draft, to_submit, submitted = application(), application(), application(submitted=True, submitted_at=timezone.now())
    decided = application_decide(application=in_review(), by=caseworker, approve=True, reason="")
    asked = in_review()
    request = application_request_information(application=asked, by=caseworker, message="Proof?", items=["Proof"])
    document = DocumentFactory(owner=resident)
    notification = Notification.objects.create(
        recipient=resident,
        event=Event.SUBMITTED,
        event_key="fuzz",
        channel=Channel.IN_APP,
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
    )
    export = DataExport.objects.create(
        user=resident,
        status=DataExport.Status.READY,
        progress=100,
        stored_name=storages["documents"].save("exports/fuzz.zip", ContentFile(b"PK\x05\x06" + bytes(18))),
        size=22,
        finished_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    device = Device.objects.create(user=resident, platform="android", token="fuzz-device-token")  # the resident's phone

    app = "/api/v1/applications/{public_id}"
    ids = {
        f"GET {app}/": draft,
        f"PATCH {app}/": draft,
        f"POST {app}/submit/": to_submit,
        f"POST {app}/withdraw/": submitted,
        f"GET {app}/access-log/": decided,
        f"GET {app}/decision-letter/": decided,
        f"GET {app}/documents/": draft,
        f"POST {app}/documents/": draft,
        f"GET {app}/ratings/": decided,
        f"POST {app}/ratings/": decided,
        f"GET {app}/information-requests/": asked,
        f"POST {app}/information-requests/{{request_id}}/answer/": asked,
    }
    parameters = {name: {"public_id": str(obj.public_id)} for name, obj in ids.items()}
    parameters[f"POST {app}/information-requests/{{request_id}}/answer/"]["request_id"] = str(request.public_id)
    parameters["GET /api/v1/documents/{public_id}/file/"] = {"public_id": str(document.public_id)}
    parameters["POST /api/v1/notifications/{public_id}/read/"] = {"public_id": str(notification.public_id)}
    parameters["GET /api/v1/me/export/{public_id}/"] = {"public_id": str(export.public_id)}
    parameters["GET /api/v1/me/export/{public_id}/download/"] = {"public_id": str(export.public_id)}
    slug = Service.objects.filter(is_active=True).exclude(pk=service.pk).order_by("slug").first().slug
    parameters["GET /api/v1/services/{slug}/"] = {"slug": slug}
    parameters["POST /api/v1/services/{slug}/eligibility/"] = {"slug": slug}
    # Body fields that name an object: a real service to start drafts of, a wallet document to attach.
    parameters["POST /api/v1/applications/"] = {"body.service": slug}
    parameters[f"POST {app}/documents/"]["body.document"] = str(document.public_id)
    parameters["DELETE /api/v1/devices/{public_id}/"] = {"public_id": str(device.public_id)}
    return resident.email, parameters


def config_toml(parameters: dict[str, dict[str, str]]) -> str:
    """Return a schemathesis.toml fixing each operation's path parameters to the resident's objects."""
    blocks = []
    for name, values in parameters.items():
        pairs = ", ".join(f"{json.dumps(key)} = {json.dumps(value)}" for key, value in values.items())
        blocks.append(f"[[operations]]\ninclude-name = {json.dumps(name)}\nparameters = {{ {pairs} }}\n")
    return "\n".join(blocks)


def _http(base: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    """Send one JSON request to the server under test; return the status and the JSON body."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def _answers(base: str) -> bool:
    try:
        return _http(base, "GET", "/api/v1/document-types/")[0] == 401  # up, and the API's auth in place
    except OSError:
        return False


@pytest.fixture
def live_api(real_services, tmp_path):
    """gunicorn with the production settings on the test database, throttling lifted; yields its base URL."""
    base = f"http://127.0.0.1:{free_port()}"
    env = {
        **worker_env(real_services),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),  # the manifest pages need (the decision letter's CSS)
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_HTTPS": "false",
        "API_THROTTLE_ANON": "1000000/min",  # thousands of requests a minute from one caller, on purpose
        "API_THROTTLE_USER": "1000000/min",
        "DOCUMENT_SCANNER": "",  # no clamd here: uploads are usable at once
        "DOCUMENTS_STORAGE_OPTIONS": json.dumps(
            {"location": str(settings.STORAGES["documents"]["OPTIONS"]["location"])}
        ),
        "EMAIL_URL": "consolemail://",
    }
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(collect, env=env, cwd=settings.BASE_DIR, check=True)
    command = [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", base.removeprefix("http://"),
               "--workers", "3", "--timeout", "60"]  # fmt: skip
    server = Server(f"web-fuzz-{os.getpid()}", command, url=base, env=env,
                    ready=lambda: _answers(base)).start(timeout=60)  # fmt: skip
    yield base
    server.stop()
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    for key in broker.scan_iter(f"{settings.CELERY_BROKER_TRANSPORT_OPTIONS['global_keyprefix']}*"):
        broker.delete(key)  # the tasks the fuzzed requests queued (no worker runs here); this run's keys only


def run_schemathesis(base: str, token: str, *, name: str, cwd: Path, extra: tuple[str, ...] = ()) -> str:
    """Run ``st run`` on the live schema as the resident; fail with its report unless every case passed; return its
    output (also kept in test-artifacts/schemathesis-<name>-<pid>.log, beside its JUnit report)."""
    report = ARTIFACTS / f"schemathesis-{name}-{os.getpid()}"  # concurrent runs keep their own
    shutil.rmtree(report, ignore_errors=True)
    command = [
        str(ST), "run", f"{base}/api/schema/",
        "--checks", CHECKS,
        "--max-examples", str(MAX_EXAMPLES),
        "--header", f"X-Session-Token: {token}",
        "--header", "Accept-Language: en",
        "--workers", "1",  # hypothesis parses lambdas with ast, which CPython 3.11.7 can break under threads
        "--seed", os.environ.get("SCHEMATHESIS_SEED", "20261201"),  # reproducible; set another to explore
        "--request-timeout", "30",
        "--suppress-health-check", "too_slow,filter_too_much",
        "--report", "junit", "--report-dir", str(report),
        *extra,
    ]  # fmt: skip
    started = time.monotonic()
    run = subprocess.run(  # noqa: S603 (our own command line)
        command,
        cwd=cwd,  # where it reads schemathesis.toml, if any
        env={**os.environ, "SCHEMATHESIS_TELEMETRY": "false", "NO_COLOR": "1", "COLUMNS": "160"},
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    seconds = time.monotonic() - started
    output = f"{run.stdout}{run.stderr}\n[{name}: {seconds:.0f} s]\n"
    (ARTIFACTS / f"schemathesis-{name}-{os.getpid()}.log").write_text(output)

    assert run.returncode == 0, f"schemathesis ({name}) found problems in {seconds:.0f} s:\n{output[-20000:]}"
    selected = re.search(r"Selected: (\d+)/(\d+)", run.stdout)
    tested = re.search(r"Tested: (\d+)", run.stdout)
    assert selected and tested and selected[1] == tested[1], output[-3000:]
    assert re.search(r"(\d+) generated, \1 passed", run.stdout), output[-3000:]
    return run.stdout


def test_every_operation_answers_within_its_schema_and_never_with_a_server_error(live_api, tmp_path):
    """Up to 100 generated requests per operation in the fuzzing phase (valid and invalid), plus the coverage and
    stateful phases, as a logged-in resident: no 5xx, and every response's status, content type and body are ones
    the schema documents. First on the resident's own objects, then once more on ids that name nothing."""
    email, parameters = seed_resident()
    status, login = _http(live_api, "POST", "/api/auth/app/v1/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200, login
    token = login["meta"]["session_token"]
    owned, unknown = tmp_path / "owned", tmp_path / "unknown"
    owned.mkdir(), unknown.mkdir()
    (owned / "schemathesis.toml").write_text(config_toml(parameters))

    everything = run_schemathesis(live_api, token, name="owned", cwd=owned)
    # The operations that take an id, with generated ids: the cases the pinned ids above cannot vary.
    run_schemathesis(live_api, token, name="unknown-ids", cwd=unknown, extra=("--include-path-regex", r"\{"))

    selected = re.search(r"Selected: (\d+)/(\d+)", everything)
    assert selected[1] == selected[2] and int(selected[1]) >= 32  # every operation of /api/v1/ (32 when written)
