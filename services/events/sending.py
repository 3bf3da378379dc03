"""The HTTP POST of a delivery: no redirects followed, a time limit, and what came back (never raises); connections
kept open per process and receiver for the next delivery (HTTP keep-alive)."""

import os
import time
from dataclasses import dataclass

import urllib3

EXCERPT = 500
# What a receiver answers past the excerpt is read and dropped up to this much, so that its connection can carry
# the next delivery; a longer answer closes the connection instead.
DRAIN_MAX = 64 * 1024

_pool = None


def _forget_pool() -> None:
    global _pool
    _pool = None


# A process forked from one that sent (a Celery pool child, a gunicorn worker) opens its own connections.
os.register_at_fork(after_in_child=_forget_pool)


def _connections() -> urllib3.PoolManager:
    global _pool
    if _pool is None:
        # One kept connection per receiver's host: a worker process sends one delivery at a time.
        _pool = urllib3.PoolManager(num_pools=50, maxsize=1, retries=False)
    return _pool


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, timed out)
    excerpt: str
    error: str
    latency_ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def post(*, url: str, body: bytes, headers: dict, timeout: float) -> Answer:
    """POST ``body`` as JSON and return the receiver's status and the start of its answer, or what failed."""
    started = time.monotonic()

    def answer(status, excerpt=b"", error=""):
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return Answer(status, excerpt.decode(errors="replace"), error[:300], elapsed_ms)

    try:
        # A redirect is the receiver's answer, not a new destination: it could lead off the allow-list.
        response = _connections().request(
            "POST", url, body=body, headers={"Content-Type": "application/json", **headers},
            timeout=urllib3.Timeout(connect=timeout, read=timeout), redirect=False, preload_content=False,
        )  # fmt: skip
        try:
            excerpt = response.read(EXCERPT)
            if len(response.read(DRAIN_MAX)) == DRAIN_MAX:
                response.close()  # not worth reading to its end: the connection is dropped
        finally:
            response.release_conn()
        return answer(response.status, excerpt)
    except urllib3.exceptions.NewConnectionError as exc:  # refused, no route (a subclass of the timeouts below)
        return answer(None, error=f"failed: {exc.__cause__ or exc}")
    except urllib3.exceptions.TimeoutError as exc:
        return answer(None, error=f"timed out: {exc}")
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:  # reset, a broken answer, a bad URL
        return answer(None, error=f"failed: {exc}")
