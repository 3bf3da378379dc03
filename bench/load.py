"""The load generator: wrk from a separate process, its figures read, and a path measured in turn with its
baseline."""

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
# A path with a ratio target and its baseline each get SECONDS in this many slices, taken in turn.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def _ms(out: str, percentile: str) -> float:
    """Return a latency percentile in ms; NaN when no request completed (every one timed out)."""
    match = re.search(rf"{percentile}%\s+([\d.]+)(us|ms|s)\b", out)
    if not match:
        return float("nan")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


def wrk(url: str, *, connections: int = 8, threads: int = 2, script: str | None = None, headers=(),
        seconds: int = SECONDS, warm: bool = True) -> Load:  # fmt: skip
    """Run wrk for BENCH_SECONDS (or ``seconds``) and parse requests/s, p50, p99 and errors (non-2xx/3xx, socket
    errors).

    With ``warm``, a second of the same load first, not counted, warms every gunicorn worker for the path (imports,
    caches, database connections), so the figure is the steady state and not the first requests of a fresh worker.
    """
    options = [f"-t{threads}", f"-c{connections}", "--timeout", "10s", *(x for h in headers for x in ("-H", h))]
    options += ["-s", str(ROOT / "bench" / "lua" / script)] if script else []
    if warm:
        subprocess.run(["wrk", *options, "-d1s", url], capture_output=True, check=True, env=os.environ)
    command = ["wrk", *options, f"-d{seconds}s", "--latency"]
    return wrk_figures(
        subprocess.run([*command, url], capture_output=True, text=True, check=True, env=os.environ).stdout
    )


def wrk_figures(out: str) -> Load:
    """Read requests/s, p50, p99 and errors (non-2xx/3xx responses and socket errors) from wrk's output."""
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return Load(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        p50_ms=_ms(out, "50"),
        p99_ms=_ms(out, "99"),
        errors=(int(non_2xx.group(1)) if non_2xx else 0) + (sum(map(int, socket.groups())) if socket else 0),
    )


def against_baseline(path: Callable[..., Load], baseline: Callable[..., Load]) -> tuple[Load, Load]:
    """Measure a path and its baseline in turn, ROUNDS slices of each (baseline, path, baseline, path, ...), both
    servers running, and return (path, baseline), each its slices together: the mean requests/s, the median p50, the
    worst p99 and every error.

    On a shared machine the speed moves by half from one minute to the next (the bare DRF list gave 950 req/s in one
    run and 568 in the next, the portal's paths the same in both): measured minutes apart, a ratio measured the
    machine as much as the portal. Taken in turn, a slow minute slows both sides of the ratio alike.
    """
    seconds = max(1, SECONDS // ROUNDS)
    path_slices, baseline_slices = [], []
    for round_ in range(ROUNDS):
        baseline_slices.append(baseline(seconds=seconds, warm=round_ == 0))
        path_slices.append(path(seconds=seconds, warm=round_ == 0))
        log(f"  slice {round_ + 1}: {path_slices[-1].rps:.0f} against {baseline_slices[-1].rps:.0f} req/s")
    return together(path_slices), together(baseline_slices)


def together(slices: list[Load]) -> Load:
    return Load(
        rps=sum(load.rps for load in slices) / len(slices),
        p50_ms=median(load.p50_ms for load in slices),
        p99_ms=max(load.p99_ms for load in slices),
        errors=sum(load.errors for load in slices),
    )
