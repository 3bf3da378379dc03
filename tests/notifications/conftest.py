import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.factories import ResidentProfileFactory


@pytest.fixture
def zh_resident(db):
    return ResidentProfileFactory(preferred_language="zh-hans", phone="13800138000").user


@pytest.fixture
def en_resident(db):
    return ResidentProfileFactory(
        preferred_language="en", phone="13900139000", id_number="310115199003071239", legal_name="Li Lei"
    ).user


@pytest.fixture
def sms_gateway(settings):
    """A real HTTP server on 127.0.0.1 standing in for the SMS gateway: answers ``status`` and records requests."""

    class Gateway(BaseHTTPRequestHandler):
        status = 202
        received: list = []

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            Gateway.received.append({"auth": self.headers["Authorization"], **json.loads(body)})
            self.send_response(Gateway.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_BACKEND = "http"
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/messages"
    settings.SMS_GATEWAY_TOKEN = "gateway-token"
    yield Gateway
    server.shutdown()
    server.server_close()
