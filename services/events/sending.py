"""One HTTP POST of a delivery: no redirects followed, a time limit, and what came back (never raises)."""

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

EXCERPT = 500


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is the receiver's answer, not a new destination: it could lead off the allow-list."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


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
    request = urllib.request.Request(  # noqa: S310 (the subscription's URL passed the host allow-list)
        url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    started = time.monotonic()

    def answer(status, response=None, error=""):
        excerpt = response.read(EXCERPT).decode(errors="replace") if response is not None else ""
        return Answer(status, excerpt, error[:300], int((time.monotonic() - started) * 1000))

    try:
        with _opener.open(request, timeout=timeout) as response:
            return answer(response.status, response)
    except urllib.error.HTTPError as exc:
        with exc:
            return answer(exc.code, exc)
    except (OSError, ValueError) as exc:  # refused, timed out, reset, bad URL
        reason = getattr(exc, "reason", exc)
        kind = "timed out" if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError) else "failed"
        return answer(None, error=f"{kind}: {reason}")
