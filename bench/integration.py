"""The bench's figures for issue 17: webhook deliveries by 2 portal workers to a local receiver against 2 bare
Celery workers posting the same body, timed from the first request received to the last."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DELIVERIES = 2000


class Receiver:
    """A local webhook receiver in the bench's own process: counts the POSTs it answers 204."""

    def __init__(self):
        self.count, self.first_at, self.lock = 0, None, threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with receiver.lock:
                    receiver.count += 1
                    receiver.first_at = receiver.first_at or time.monotonic()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/events"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def delivery_rate(*, shell, workers, env: dict, app: str, queue: str, enqueue: str) -> float:
    """Queue DELIVERIES posts with no worker running (``enqueue``: a bench.tools function of (count, url)), then
    return the posts per second 2 worker processes make to a local receiver."""
    receiver = Receiver()
    try:
        shell(env, f"from bench.tools import {enqueue} as enqueue; enqueue({DELIVERIES}, {receiver.url!r})")
        running = workers(app, queue, env)
        deadline = time.monotonic() + 600
        while receiver.count < DELIVERIES and time.monotonic() < deadline:
            time.sleep(0.05)
        done, elapsed = receiver.count, time.monotonic() - (receiver.first_at or time.monotonic())
        running.stop()
    finally:
        receiver.close()
    if done < DELIVERIES:
        raise SystemExit(f"only {done} of {DELIVERIES} deliveries arrived in 10 minutes")
    return (done - 1) / elapsed if elapsed else 0.0


def measure(*, shell, workers, portal_env: dict, baseline_env: dict) -> str:
    """Measure both sides and return the table row (with its header)."""
    print(f"[bench] webhook deliveries: {DELIVERIES:,} events", flush=True)
    rate = delivery_rate(shell=shell, workers=workers, env=portal_env, app="portal", queue="webhooks",
                         enqueue="portal_queue_events")  # fmt: skip
    shell(portal_env, "from bench.tools import portal_forget_events; portal_forget_events()")
    base = delivery_rate(shell=shell, workers=workers, env=baseline_env, app="bench.baseline.celery",
                         queue="celery", enqueue="baseline_queue_posts")  # fmt: skip
    return render(rate, base)


def render(rate: float, base: float) -> str:
    met = "yes" if base and rate / base >= 0.5 else "**no**"
    ratio = f"{rate / base:.2f}×" if base else "–"
    return (
        "\n| issue 17 background work | per second | baseline | ratio | target | met |\n|---|---:|---:|---:|---|---|\n"
        f"| webhook deliveries to a local receiver, 2 worker processes, {DELIVERIES:,} events | {rate:.0f} | "
        f"{base:.0f} | {ratio} | ≥ 0.5× | {met} |\n"
    )
