"""A department system's webhook endpoint: a real HTTP server on 127.0.0.1 for the delivery tests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from services.events.signing import BadSignature, verified_id


class Receiver:
    """Records every POST (headers and CloudEvent) and answers the next of ``statuses`` (then ``status``, 200) with
    ``body``; while ``hang`` is set it holds each request unanswered; ``accepted`` lists the event ids it took (2xx),
    verified with ``secrets`` when given (a bad signature is answered 401 and recorded in ``forged``);
    ``connections`` counts the connections it was sent on (one per request unless ``keep_alive()``)."""

    def __init__(self, *, statuses=(), status: int = 200, secrets=()):
        self.statuses, self.status, self.secrets = list(statuses), status, list(secrets)
        self.received, self.accepted, self.forged, self.paths = [], [], [], []
        self.body, self.connections = b"ok", 0
        self.hang, self.released, self.lock = False, threading.Event(), threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            def do_GET(self):
                receiver.paths.append(f"GET {self.path}")
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_POST(self):
                receiver.paths.append(f"POST {self.path}")
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.handle(self, body)

            def log_message(self, *args):
                pass

        self.handler = Handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/events"

    def handle(self, handler, body: bytes) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        event = json.loads(body)
        with self.lock:
            self.received.append({"headers": headers, "event": event, "body": body})
            status = self.statuses.pop(0) if self.statuses else self.status
        if self.hang:
            self.released.wait(timeout=30)
            return
        if self.secrets and 200 <= status < 300:
            try:
                verified_id(secrets=self.secrets, headers=headers, body=body)
            except BadSignature:
                self.forged.append(event["id"])
                status = 401
        if 200 <= status < 300:
            with self.lock:
                self.accepted.append(event["id"])
        handler.send_response(status)
        if 300 <= status < 400:
            handler.send_header("Location", self.url + "/moved")
        handler.send_header("Content-Length", str(len(self.body)))
        handler.end_headers()
        handler.wfile.write(self.body)

    def keep_alive(self) -> None:
        """Answer in HTTP/1.1, keeping each connection open for the next request."""
        self.handler.protocol_version = "HTTP/1.1"

    def close(self):
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
