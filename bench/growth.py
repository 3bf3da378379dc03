"""`BENCH_ONLY=growth` (issue 20, item 6): memory and the growth of the tables a purge keeps bounded.

For BENCH_GROWTH_SECONDS (default 600) a mixed load runs against the portal in full mode: wrk on two read paths (the
catalogue, anonymous; "my applications", signed in), one-call submissions each with an Idempotency-Key of its own,
and an app sign-in every few seconds (each a new session); gunicorn, a worker per kind of queue (routing, the
department intake, notifications, webhooks to a local receiver, beat's sweeps) and beat all run. Every minute the
rows of the tables that only grow unless purged are counted; at the end the peak resident memory (VmHWM) of each
kind of process is read. Retentions are cut to minutes and the purges run every minute, so that ten minutes show
them working (a table that levels off); production keeps the defaults (hours to a year). On a database of its own
(seeded small: the tables watched are those of the run, not of the seed).
"""

import datetime as dt
import json
import os
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

from bench.integration import Receiver
from bench.load import wrk_figures
from bench.pg import PG, db
from bench.run import (
    PORTAL,
    PORTAL_ENV,
    PY,
    ROOT,
    Server,
    Workers,
    create_database,
    log,
    manage,
    peak_rss_kib,
    shell,
)

SECONDS = int(os.environ.get("BENCH_GROWTH_SECONDS", "600"))
RETENTION = 120  # seconds: sessions unused, Idempotency-Keys, finished notifications, delivered events
SIGN_IN_EVERY = 3.0  # seconds: 20 a minute, under allauth's 30 a minute per address
SEED = ("--residents", "2000", "--applications", "20000")
ENV = {
    **PORTAL_ENV,
    "DATABASE_URL": f"{PG}/{db('bench_growth')}",
    "EMAIL_URL": "consolemail://",  # the notifications worker renders and "sends" every email; nothing leaves
    "PURGE_EVERY_SECONDS": "60",
    "API_TOKEN_IDLE_SECONDS": str(RETENTION),
    "IDEMPOTENCY_KEY_TTL_SECONDS": str(RETENTION),
    "NOTIFICATION_RETENTION_DAYS": str(RETENTION / 86400),
    "EVENT_RETENTION_DAYS": str(RETENTION / 86400),
}
# The kinds of worker, each one process (prefork, concurrency 1) on its queues.
QUEUES = {
    "routing": "routing,default",
    "department intake": "dept.health,dept.education,dept.employment",
    "notifications": "notifications,notifications.email,notifications.sms,notifications.push",
    "webhooks": "webhooks",
    "sweeps (beat's jobs)": "sweeps",
}
# Table → whether it has an integer id (how many rows the run wrote is then the growth of its largest id).
TABLES = {
    "django_session": False,
    "usersessions_usersession": True,
    "api_idempotencykey": True,
    "notifications_notification": True,
    "events_event": True,
    "events_delivery": True,
    "events_deliveryattempt": True,
}
# Deliveries still pending keep their events (by design): counted apart, they show the webhooks worker's backlog.
PENDING = "(SELECT count(*) FROM events_delivery WHERE status = 'pending')"
SETUP = """
import json
from bench.tools import portal_logins
from services.applications.management.commands.seed_scale import BENCH_PASSWORD, SEED_DOMAIN
from allauth.account.models import EmailAddress
from services.accounts.models import User
from services.events.models import Subscription
Subscription.objects.filter(name="growth").delete()
Subscription.objects.create(name="growth", url=URL)
signing_in = [f"seed{n}@{SEED_DOMAIN}" for n in range(1, 6)]  # seed0 is the resident of the reads and submissions
for user in User.objects.filter(email__in=signing_in):  # verified, as a resident's address is before they sign in
    EmailAddress.objects.update_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
print(json.dumps({**json.loads(portal_logins()), "signing_in": signing_in, "password": BENCH_PASSWORD}))
"""


def counts() -> dict[str, tuple[int, int]]:
    """Return each table's rows and largest id (0 without one), in one round trip."""
    import psycopg2

    largest = "(SELECT coalesce(max(id), 0) FROM {})"
    parts = [f"(SELECT count(*) FROM {t}), {largest.format(t) if i else 0}" for t, i in TABLES.items()]  # noqa: S608
    with psycopg2.connect(f"{PG}/{db('bench_growth')}") as conn, conn.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}, {PENDING}, 0")  # noqa: S608  # nosec B608  # the names above
        row = cursor.fetchone()
    return {table: (row[2 * n], row[2 * n + 1]) for n, table in enumerate([*TABLES, "pending"])}


class SignIns(threading.Thread):
    """Sign in through the app's API every SIGN_IN_EVERY seconds (each a new session token); count what answers."""

    def __init__(self, emails: list[str], password: str):
        super().__init__(daemon=True)
        self.emails, self.password, self.done, self.failed, self.stop = emails, password, 0, 0, threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stop.wait(SIGN_IN_EVERY):
            body = json.dumps({"email": self.emails[n % len(self.emails)], "password": self.password}).encode()
            headers = {"Content-Type": "application/json"}
            request = urllib.request.Request(f"{PORTAL}/api/auth/app/v1/auth/login", data=body, headers=headers)  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # the bench's own portal
                    ok = response.status == 200 and json.load(response)["meta"]["is_authenticated"]
            except (OSError, KeyError, ValueError):
                ok = False
            self.done, self.failed, n = self.done + bool(ok), self.failed + (not ok), n + 1


def start_wrk(url: str, *, connections: int, script: str | None = None, headers=()) -> subprocess.Popen:
    options = ["-t1", f"-c{connections}", "--timeout", "10s", *(x for h in headers for x in ("-H", h))]
    options += ["-s", str(ROOT / "bench" / "lua" / script)] if script else []
    command = ["wrk", *options, f"-d{SECONDS}s", "--latency", url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=os.environ)


def measure() -> str:
    """Run the mixed load with every process and return the tables."""
    create_database("bench_growth")
    manage(ENV, "migrate", "--noinput")
    log("growth: seeding a small database")
    subprocess.run([PY, "-m", "django", "seed_scale", *SEED], env=ENV, cwd=ROOT, check=True)
    receiver = Receiver()
    logins = json.loads(shell(ENV, f"URL = {receiver.url!r}\n" + SETUP).splitlines()[-1])
    os.environ["BENCH_CREATE_BODY"] = logins["create_body"]  # read by lua/submit_with_key.lua
    schedule = Path(f"/tmp/bench-growth-beat-{os.getpid()}")  # noqa: S108  # beat's own schedule file
    web = Server("portal.wsgi", PORTAL, ENV)
    workers = {kind: Workers("portal", queues, ENV, count=1, name=kind.split()[0]) for kind, queues in QUEUES.items()}
    beat = subprocess.Popen([PY, "-m", "celery", "-A", "portal", "beat", "-l", "warning", "-s", str(schedule)],
                            cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    samples, started = [(0, counts())], time.monotonic()
    token = f"X-Session-Token: {logins['token']}"
    log(f"growth: {SECONDS} s of mixed load; rows counted every minute")
    loads = {
        "catalogue list (API, anonymous), 2 connections": start_wrk(f"{PORTAL}/api/v1/services/", connections=2),
        "my applications (API), 2 connections": start_wrk(
            f"{PORTAL}/api/v1/applications/", connections=2, headers=[token]
        ),
        "create + submit in one call with an Idempotency-Key, 2 connections": start_wrk(
            f"{PORTAL}/", connections=2, script="submit_with_key.lua", headers=[token]
        ),
    }
    sign_ins = SignIns(logins["signing_in"], logins["password"])
    sign_ins.start()
    try:
        while (elapsed := time.monotonic() - started) < SECONDS + 5:
            time.sleep(min(60 - elapsed % 60, SECONDS + 5 - elapsed))
            samples.append((round(time.monotonic() - started), counts()))
            log(f"growth: {samples[-1][0]} s: " + ", ".join(f"{t} {n:,}" for t, (n, _) in samples[-1][1].items()))
        results = {name: wrk_figures(process.communicate()[0]) for name, process in loads.items()}
    finally:
        sign_ins.stop.set()
        for process in loads.values():
            if process.poll() is None:
                process.kill()
        beat_kib = peak_rss_kib(beat.pid)
        beat.terminate()
        beat.wait(timeout=30)
        memory = {"web (gunicorn worker)": web.stop(), **{kind: w.stop() for kind, w in workers.items()}}
        memory["beat"] = beat_kib
        receiver.close()
        schedule.unlink(missing_ok=True)
    return render(samples, results, sign_ins, memory)


def render(samples, results, sign_ins, memory) -> str:
    lines = [
        f"\n# Memory and growth {dt.datetime.now():%Y-%m-%d %H:%M} ({SECONDS} s of mixed load)", "",
        f"Retentions cut to {RETENTION} s for the run (sessions unused, Idempotency-Keys, finished notifications, "
        "delivered events) and every purge run each minute by beat (`PURGE_EVERY_SECONDS=60`); production keeps "
        "the defaults.", "",
        "| load | req/s | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|",
        *(f"| {name} | {r.rps:.1f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} |" for name, r in results.items()),
        f"| app sign-ins (one every {SIGN_IN_EVERY:.0f} s, each a new session) | {sign_ins.done} done | | | "
        f"{sign_ins.failed} |", "",
        "| rows at (min:s) | " + " | ".join(f"`{t}`" for t in TABLES) + " | of the deliveries, pending |",
        "|---" + "|---:" * (len(TABLES) + 1) + "|",
    ]  # fmt: skip
    for at, row in samples:
        figures = " | ".join(f"{row[t][0]:,}" for t in [*TABLES, "pending"])
        lines.append(f"| {at // 60}:{at % 60:02d} | {figures} |")
    first, last = samples[0][1], samples[-1][1]
    written = [f"{last[t][1] - first[t][1]:,}" if TABLES[t] else "" for t in TABLES]
    lines += [f"| written during the run | {' | '.join(written)} | |", ""]
    lines += ["| process | peak resident memory (VmHWM) |", "|---|---:|"]
    lines += [f"| {kind} | {kib / 1024:.0f} MiB |" for kind, kib in memory.items()]
    return "\n".join(lines) + "\n"
