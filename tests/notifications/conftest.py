import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

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


class LocalGateway:
    """A real HTTP server on 127.0.0.1 standing in for an SMS or push gateway: records every request (with its
    Authorization header) and answers the next of ``statuses``, else ``status``; while ``hang`` is set it holds
    each request unanswered until the test ends."""

    def __init__(self):
        self.status, self.statuses, self.received, self.hang = 202, [], [], False
        self.released = threading.Event()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append({"auth": self.headers["Authorization"], **json.loads(body)})
                if gateway.hang:
                    gateway.released.wait(timeout=30)
                    return
                self.send_response(gateway.statuses.pop(0) if gateway.statuses else gateway.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/messages"

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sms_gateway(settings):
    """The SMS backend set to post to a local gateway."""
    gateway = LocalGateway()
    settings.SMS_BACKEND, settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http", gateway.url, "gateway-token"
    yield gateway
    gateway.close()


@pytest.fixture
def push_gateway(settings):
    """The push backend set to post to a local gateway."""
    gateway = LocalGateway()
    settings.PUSH_BACKEND, settings.PUSH_GATEWAY_URL, settings.PUSH_GATEWAY_TOKEN = "http", gateway.url, "push-token"
    yield gateway
    gateway.close()
