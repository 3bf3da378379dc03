"""No personal data in logs: distinctive canaries (an ID number, a phone number, a password, a token) sent through
the web, the API, the admin's search and a message's delivery appear in none of the captured log records, the
processes' output, or gunicorn's access log lines."""

import datetime as dt
import logging
import subprocess
import sys

import pytest
from gunicorn.config import Config
from rest_framework.test import APIClient

from portal.access_log import QuerylessAccessLog
from services.common.logging import JsonFormatter
from services.notifications.actions import notify
from services.notifications.models import Event
from tests.caseworker.conftest import CHANGELIST, logged_in
from tests.factories import ResidentProfileFactory
from tests.notifications.conftest import sms_gateway  # noqa: F401 (a fixture)
from tests.test_deploy import ROOT, production_env

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"
PHONE = "13912345678"
PASSWORD = "Canary-Passw0rd-7731"
TOKEN = "canarytoken7731"
CANARIES = (ID_NUMBER, PHONE, PASSWORD, TOKEN)


class _Response:
    status, sent, headers = "200 OK", 10, []


def access_line(method: str, uri: str, referer: str = "-") -> str:
    """The line gunicorn (with the Procfile's logger class) writes for a request."""
    path, _, query = uri.partition("?")
    environ = {"REQUEST_METHOD": method, "RAW_URI": uri, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "PATH_INFO": path, "QUERY_STRING": query, "HTTP_REFERER": referer}  # fmt: skip
    logger = QuerylessAccessLog(Config())
    return logger.cfg.access_log_format % logger.atoms(_Response(), [], environ, dt.timedelta(milliseconds=5))


def test_no_canary_reaches_the_logs(caplog, capfd, client, health_caseworker, sms_gateway,  # noqa: F811
                                     django_capture_on_commit_callbacks):  # fmt: skip
    """Sign-in with a wrong password, a search for an ID number, a token in a link, a profile with a phone number
    and an SMS to it: nothing of them is logged, at any level, by the portal or its libraries."""
    caplog.set_level(logging.DEBUG)
    resident = ResidentProfileFactory(id_number=ID_NUMBER, phone=PHONE, notify_by_sms=True).user

    client.post("/accounts/login/", {"login": resident.email, "password": PASSWORD})
    APIClient().post("/api/auth/app/v1/auth/login", {"email": resident.email, "password": PASSWORD}, format="json")
    logged_in(health_caseworker).get(CHANGELIST, {"q": ID_NUMBER})
    client.get(f"/nowhere/?token={TOKEN}")
    APIClient().get(f"/api/v1/nowhere/?token={TOKEN}", HTTP_X_SESSION_TOKEN=TOKEN)
    with django_capture_on_commit_callbacks(execute=True):
        notify(event=Event.SUBMITTED, event_key="canary", recipients=[resident],
               payload={"reference": "HLT-2026-000001", "service": "s"})  # fmt: skip
    lines = [
        access_line("GET", f"/admin/applications/application/?q={ID_NUMBER}"),
        access_line("GET", f"/accounts/confirm-email/?token={TOKEN}", referer=f"https://portal.example/x?q={PHONE}"),
    ]

    assert [message["to"] for message in sms_gateway.received] == [PHONE]  # the SMS went, to the gateway
    captured = capfd.readouterr()
    written = [JsonFormatter().format(record) for record in caplog.records]  # as production writes each record
    logged = "\n".join([caplog.text, *written, captured.out, captured.err, *lines])
    assert not [canary for canary in CANARIES if canary in logged]
    assert "/admin/applications/application/?…" in lines[0]


@pytest.mark.parametrize(
    ("debug", "backend", "starts"),
    [("false", "console", False), ("false", None, False), ("false", "http", True), ("true", None, True)],
    ids=["console-in-production", "unset-in-production", "gateway-in-production", "console-in-the-embedded-mode"],
)
def test_production_needs_an_sms_gateway(debug, backend, starts):
    """Outside DEBUG the console SMS backend (phone numbers and texts in the log) is a startup error."""
    env = production_env(DJANGO_DEBUG=debug, SMS_BACKEND=backend)
    result = subprocess.run([sys.executable, "-c", "import portal.settings.base"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip

    assert (result.returncode == 0) is starts, result.stderr
    assert starts or "SMS_BACKEND=http" in result.stderr


def test_the_device_api_takes_its_id_in_the_path(resident_client, resident):
    """A phone is unregistered by the id its registration answered, never by a push token in the query string
    (which access logs and proxies keep)."""
    registered = resident_client.post("/api/v1/devices/", {"platform": "ios", "token": TOKEN}, format="json").json()

    by_token = resident_client.delete(f"/api/v1/devices/?token={TOKEN}")
    by_id = resident_client.delete(f"/api/v1/devices/{registered['id']}/")

    assert by_token.status_code == 405 and by_id.status_code == 204
    assert TOKEN not in str(registered["id"])
