"""`make bench`: the portal in full mode against a bare Django/DRF/Celery baseline, in one run.

Both apps run under the same gunicorn configuration on the same PostgreSQL server and Redis; wrk loads
them from a separate process. Every figure with a ratio target is measured in slices alternating with its baseline's
(`against_baseline`), and a markdown table goes to stdout and bench/results/.
"""

import datetime as dt
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from functools import partial
from pathlib import Path

from bench import cityview, integration, pages
from bench.load import ROOT, SECONDS, Load, against_baseline, log, wrk
from bench.pg import INSTANCE, PG, create_database, db, sql

PY = sys.executable
BIN = Path(PY).parent
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "1000000"))
RESIDENTS = int(os.environ.get("BENCH_RESIDENTS", "100000"))
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "20000"))
GUNICORN_WORKERS = os.environ.get("BENCH_GUNICORN_WORKERS", "4")
# Where the table is written (quick runs while iterating can go elsewhere than the committed results).
RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR", ROOT / "bench" / "results"))
# A subset while iterating, e.g. BENCH_ONLY=catalogue,detail,mine,create,admin,routing,cityview,pages (default: all).
ONLY = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}


def wanted(name: str) -> bool:
    return not ONLY or name in ONLY


PORTAL, BASELINE = f"http://127.0.0.1:{8100 + INSTANCE}", f"http://127.0.0.1:{8200 + INSTANCE}"

PORTAL_ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "portal.settings.base",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123456789",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_HTTPS": "false",
    "DATABASE_URL": f"{PG}/{db('bench_portal')}",
    "CELERY_BROKER_URL": f"{REDIS}/13",
    "CACHE_URL": f"rediscache://{REDIS.removeprefix('redis://')}/12",
    # The load generator is one client: throttling would measure the throttle, not the portal.
    "API_THROTTLE_USER": "100000000/min",
    "API_THROTTLE_ANON": "100000000/min",
    "LOG_LEVEL": "WARNING",
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "SMS_BACKEND": "http",  # required outside DEBUG; no gateway set: the bench's residents ask for no SMS
}
BASELINE_ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.baseline.settings",
    "BASELINE_DATABASE_URL": f"{PG}/{db('bench_baseline')}",
    "CELERY_BROKER_URL": f"{REDIS}/14",
}


def run(command: list[str], env: dict, **kwargs) -> str:
    done = subprocess.run(command, env=env, cwd=ROOT, text=True, capture_output=True, **kwargs)
    if done.returncode:
        sys.stderr.write(done.stderr)
        done.check_returncode()
    return done.stdout


def manage(env: dict, *args: str) -> str:
    return run([PY, "-m", "django", *args], env)


def shell(env: dict, code: str) -> str:
    return manage(env, "shell", "--verbosity", "0", "-c", code).strip()


class Server:
    """A gunicorn process tree serving one app; its workers' peak memory is read before it stops."""

    def __init__(self, module: str, url: str, env: dict):
        port = url.rsplit(":", 1)[1]
        # A server already on the port (a bench of the same BENCH_INSTANCE, one left over) would answer the readiness
        # check and the load in this one's place, on its own database: its gunicorn fails to bind, unseen.
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", int(port))) == 0:
                raise SystemExit(f"port {port} is taken: stop that server or set another BENCH_INSTANCE")
        command = [str(BIN / "gunicorn"), module, "--bind", f"127.0.0.1:{port}", "--workers", GUNICORN_WORKERS]
        self.url = url
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn for {module} on port {port} exited ({self.process.returncode})")
            try:
                urllib.request.urlopen(f"{url}/readyz" if "portal" in module else f"{url}/json/", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def stop(self) -> int:
        peak = max((peak_rss_kib(pid) for pid in children(self.process.pid)), default=0)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)
        return peak


class Workers:
    """Celery worker processes (prefork, concurrency 1 each) for the given app and queues."""

    def __init__(self, app: str, queues: str, env: dict, count: int = 2, name: str = "bench"):
        command = [PY, "-m", "celery", "-A", app, "worker", "-Q", queues, "--concurrency", "1", "--without-mingle",
                   "--without-gossip", "-l", "warning"]  # fmt: skip
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.processes = [
            subprocess.Popen([*command, "-n", f"{name}{i}@%h"], cwd=ROOT, env=env, **quiet) for i in range(count)
        ]

    def stop(self) -> int:
        peak = max((peak_rss_kib(pid) for p in self.processes for pid in [p.pid, *children(p.pid)]), default=0)
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            process.wait(timeout=60)
        return peak


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def peak_rss_kib(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return 0
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


def prepare() -> dict:
    """Create and migrate both databases, seed the portal at scale, and return logins for the load."""
    for name in ("bench_portal", "bench_baseline"):
        create_database(name)
    log("migrating")
    manage(PORTAL_ENV, "migrate", "--noinput")
    manage(BASELINE_ENV, "migrate", "--noinput")
    manage(PORTAL_ENV, "collectstatic", "--noinput", "--verbosity", "0")
    shell(
        BASELINE_ENV,
        "from bench.baseline.models import Item\n"
        "Item.objects.all().delete()\n"
        "Item.objects.bulk_create([Item(name=f'item {i}') for i in range(100)])",
    )
    log(f"seeding {RESIDENTS:,} residents and {APPLICATIONS:,} applications (re-runnable)")
    subprocess.run(
        [PY, "-m", "django", "seed_scale", "--residents", str(RESIDENTS), "--applications", str(APPLICATIONS)],
        env=PORTAL_ENV, cwd=ROOT, check=True,
    )  # fmt: skip
    logins = json.loads(shell(PORTAL_ENV, "from bench.tools import portal_logins; print(portal_logins())"))
    os.environ["BENCH_CREATE_BODY"] = logins["create_body"]  # read by lua/create_submit.lua
    return logins


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}×" if base else "–"


def main() -> None:
    started = time.monotonic()
    logins = prepare()
    rows, notes = [], []
    token, cookie = f"X-Session-Token: {logins['token']}", f"Cookie: sessionid={logins['staff_session']}"

    log("measuring HTTP paths")
    baseline = Server("bench.baseline.wsgi", BASELINE, BASELINE_ENV)
    portal = Server("portal.wsgi", PORTAL, PORTAL_ENV)
    base_json = wrk(f"{BASELINE}/json/")
    base_list = partial(wrk, f"{BASELINE}/items/")
    base_create = partial(wrk, f"{BASELINE}/items/create/", script="baseline_create.lua", connections=4, threads=4)
    paths = []
    if wanted("catalogue"):
        catalogue = partial(wrk, f"{PORTAL}/api/v1/services/")
        paths.append(("catalogue list (API)", *against_baseline(catalogue, base_list), 1.0))
    if wanted("detail"):
        detail = partial(wrk, f"{PORTAL}{logins['service_detail']}")
        paths.append(("service detail with form", *against_baseline(detail, base_list), 1.0))
    if wanted("mine"):
        mine = partial(wrk, f"{PORTAL}/api/v1/applications/", headers=[token])
        paths.append(("my applications (API)", *against_baseline(mine, base_list), 0.6))
    if wanted("verify"):
        verify = partial(wrk, f"{PORTAL}/api/v1/credentials/verify/?token={logins['credential_token']}")
        paths.append(("credential verification (API)", *against_baseline(verify, base_list), 0.8))
    if wanted("create"):
        load = partial(wrk, f"{PORTAL}/", connections=4, threads=4, headers=[token])
        one, base = against_baseline(partial(load, script="create_submitted.lua"), base_create)
        paths.append(("create + submit in one call (API)", one, base, 0.4))
        create, base = against_baseline(partial(load, script="create_submit.lua"), base_create)
        # Each create+submit is two requests: the pair rate is half the request rate.
        pairs = Load(create.rps / 2, create.p50_ms, create.p99_ms, create.errors)
        paths.append(("create + submit, two calls (API, pairs/s)", pairs, base, 0.2))
    baseline_web_kib = baseline.stop()
    if wanted("admin"):
        queue = wrk(f"{PORTAL}/admin/applications/application/", headers=[cookie])
        page = wrk(f"{PORTAL}{logins['admin_page']}", headers=[cookie])
    portal_web_kib = portal.stop()

    rows.append(("bare JsonResponse (reference)", base_json, None, None))
    for name, load, base, target in paths:
        rows.append((name, load, base, target))
    if wanted("admin"):
        rows.append(("admin queue list, 8 caseworkers", queue, None, "p99 ≤ 300 ms"))
        rows.append(("admin application page", page, None, None))

    routing_rate = base_rate = routing_kib = 0
    if wanted("routing"):
        log(f"routing throughput: a backlog of {BACKLOG:,}")
        routing_rate, routing_kib = routing_throughput(PORTAL_ENV, "portal", "routing")
        base_rate, _ = routing_throughput(BASELINE_ENV, "bench.baseline.celery", "celery")
    exactly_once = shell(PORTAL_ENV, "from bench.tools import portal_routed_once; print(portal_routed_once())")

    table = render(rows, routing_rate, base_rate, portal_web_kib, baseline_web_kib, routing_kib, exactly_once)
    write(table + extra_tables(), started=started, notes=notes)


def extra_tables() -> str:
    """The tables of the paths that start their own servers or workers (webhooks, the city view, pages, uploads)."""
    from bench import uploads  # it imports this module's helpers

    table = ""
    if wanted("webhooks"):
        table += integration.measure(shell=shell, workers=Workers, portal_env=PORTAL_ENV, baseline_env=BASELINE_ENV)
    if wanted("cityview"):
        table += cityview.measure(shell=shell, server=Server, wrk=wrk, env=PORTAL_ENV, url=PORTAL)
    if wanted("pages"):
        table += pages.measure(shell=shell, server=Server, wrk=wrk, env=PORTAL_ENV, url=PORTAL)
    if wanted("uploads"):
        table += uploads.measure()
    return table


def write(table: str, *, started: float, notes: list[str], wrk_line: bool = True) -> None:
    """Add the run's duration, write the table to RESULTS and print it."""
    elapsed = time.monotonic() - started
    wrk_seconds = f"; wrk {SECONDS}s per path" if wrk_line else ""
    table += f"\nRun took {elapsed / 60:.1f} min on {os.cpu_count()} cores{wrk_seconds}.\n"
    subset = f"-{'-'.join(sorted(ONLY))}" if ONLY else ""
    out = RESULTS / f"{dt.datetime.now():%Y-%m-%d-%H%M}{subset}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table)
    print(table)
    log(f"written to {out}")
    if notes:
        print("\n".join(notes))


# How many backlog tasks are still undone, read straight from the database while the workers run.
BACKLOG_LEFT = {
    "portal": ("portal", "bench_portal", "SELECT count(*) FROM applications_application WHERE status = 'submitted'"),
    "bench.baseline.celery": (
        "baseline",
        "bench_baseline",
        "SELECT count(*) FROM baseline_item WHERE name = 'backlog' AND touched = 0",
    ),
}


def routing_throughput(env: dict, app: str, queue: str) -> tuple[float, int]:
    """Queue a backlog with no worker running, then time 2 worker processes draining it."""
    side, database, left = BACKLOG_LEFT[app]
    shell(env, f"from bench.tools import {side}_queue_backlog as queue; queue({BACKLOG})")
    queued = sql(database, left)
    workers = Workers(app, queue, env)
    launched = time.monotonic()
    # The clock starts at the first task done, not at launch: the workers' start-up (Django, Celery, the
    # broker connection) is not routing, and at a small backlog it would be most of the time measured.
    while (remaining := sql(database, left)) >= queued:
        time.sleep(0.05)
    started, counted = time.monotonic(), remaining
    while (remaining := sql(database, left)) > 0:
        if time.monotonic() - launched > 900:
            workers.stop()
            raise SystemExit(f"the backlog did not drain in 15 minutes: {remaining} left")
        time.sleep(0.1)
    rate = counted / (time.monotonic() - started)
    return rate, workers.stop()


def render(rows, routing_rate, base_rate, web_kib, base_web_kib, worker_kib, exactly_once) -> str:
    lines = [
        f"# Benchmark {dt.datetime.now():%Y-%m-%d %H:%M} ({APPLICATIONS:,} applications, {RESIDENTS:,} residents)",
        "",
        "| path | req/s | p50 ms | p99 ms | errors | baseline req/s | ratio | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for name, load, base, target in rows:
        if isinstance(target, float):
            met = "yes" if load.rps / base.rps >= target and load.errors == 0 else "**no**"
            lines.append(
                f"| {name} | {load.rps:.0f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} | {load.errors} | "
                f"{base.rps:.0f} | {ratio(load.rps, base.rps)} | ≥ {target}× | {met} |"
            )
        else:
            met = "" if target is None else ("yes" if load.p99_ms <= 300 and load.errors == 0 else "**no**")
            lines.append(
                f"| {name} | {load.rps:.0f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} | {load.errors} | | | "
                f"{target or ''} | {met} |"
            )
    met = "yes" if base_rate and routing_rate / base_rate >= 0.6 else "**no**"  # issue 20's target (issue 9: 0.5)
    lines += [
        "",
        "| background work | per second | baseline | ratio | target | met |",
        "|---|---:|---:|---:|---|---|",
        f"| routing, 2 worker processes, backlog {BACKLOG:,} | {routing_rate:.0f} | {base_rate:.0f} "
        f"| {ratio(routing_rate, base_rate)} | ≥ 0.6× | {met} |",
        "",
        f"Peak resident memory: portal web worker {web_kib / 1024:.0f} MiB (baseline {base_web_kib / 1024:.0f} MiB), "
        f"portal Celery worker {worker_kib / 1024:.0f} MiB.",
        f"Every application submitted during the run routed exactly once: {exactly_once}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # BENCH_ONLY=uploads or growth (bench/uploads.py, bench/growth.py: a 10-minute mixed load): on a database of its
    # own, without the million applications the other paths need; "proactive" alone: bench/issue18a.py.
    if ONLY in ({"uploads"}, {"growth"}):
        import importlib

        started = time.monotonic()
        alone = importlib.import_module(f"bench.{next(iter(ONLY))}")
        write(alone.measure(), started=started, notes=[], wrk_line=False)
    elif not ONLY or ONLY - {"proactive"}:
        main()
