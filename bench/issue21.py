"""`make bench`, issue 21: slot booking under contention, and payment notifications per second against the bare
DRF create of the baseline, with the servers and load generator of bench/run.py (the portal on its own database)."""

import datetime as dt
import json
import os
import tempfile
import time
from functools import partial

from bench.load import ROUNDS, against_baseline
from bench.pg import db
from bench.run import (
    BASELINE,
    BASELINE_ENV,
    PG,
    PORTAL,
    PORTAL_ENV,
    RESULTS,
    SECONDS,
    Server,
    create_database,
    log,
    manage,
    ratio,
    shell,
    wrk,
)

RESIDENTS, PLACES = 50, 10
# A database of its own (the rows it makes are its own too), beside the baseline's of bench/run.py.
ENV = {**PORTAL_ENV, "DATABASE_URL": f"{PG}/{db('bench_issue21')}"}
NOTIFY_THREADS = 4  # bench/lua/payment_notify.lua shares the notifications among 4 threads


def tools(code: str) -> str:
    """Run ``code`` in the portal's settings with bench/tools21.py's helpers at hand; return its last line of output
    (a command it calls may print before)."""
    return (shell(ENV, f"from bench.tools21 import *\n{code}").splitlines() or [""])[-1]


def main() -> None:
    started = time.monotonic()
    for name in ("bench_issue21", "bench_baseline"):
        create_database(name)
    manage(ENV, "migrate", "--noinput")
    manage(BASELINE_ENV, "migrate", "--noinput")

    log(f"slot booking: {RESIDENTS} residents racing for {PLACES} places")
    race = json.loads(tools(f"print(slot_race({RESIDENTS}, {PLACES}))"))

    path = os.path.join(tempfile.mkdtemp(), "notifications.tsv")
    count = 1000 * (SECONDS + 1)  # more than the portal takes in the warm-up and the run: each one is sent once
    log(f"payment notifications: {count:,} signed by FakePay")
    tools(f"notification_file({count}, {path!r})")
    os.environ["BENCH_NOTIFY_FILE"] = path
    baseline, portal = Server("bench.baseline.wsgi", BASELINE, BASELINE_ENV), Server("portal.wsgi", PORTAL, ENV)
    notify, base_create = against_baseline(
        partial(wrk, f"{PORTAL}/payments/notify/fake/", script="payment_notify.lua", connections=4,
                threads=NOTIFY_THREADS),
        partial(wrk, f"{BASELINE}/items/create/", script="baseline_create.lua", connections=4, threads=4),
    )  # fmt: skip
    baseline.stop()
    portal.stop()
    done = json.loads(tools(f"print(notifications_done({path!r}))"))
    with open(f"{path}.sent", encoding="utf-8") as lines:  # how many each wrk thread sent (lua/payment_notify.lua)
        sent = [int(line) for line in lines if line.strip()]
    unprocessed = notifications_unprocessed(sent, count, paid=done["paid"])

    race_met = race["booked"] == PLACES and race["won"] == PLACES and race["p99_ms"] <= 300
    notify_met = base_create.rps and notify.rps / base_create.rps >= 0.5 and notify.errors == 0 and not unprocessed
    table = "\n".join(
        [
            f"# Benchmark, fees and appointments {dt.datetime.now():%Y-%m-%d %H:%M}",
            "",
            "| path | result | p50 ms | p99 ms | baseline | ratio | target | met |",
            "|---|---:|---:|---:|---:|---:|---|---|",
            f"| slot booking, {RESIDENTS} residents racing for {PLACES} places | {race['booked']} booked "
            f"({race['won']} told yes) | {race['p50_ms']:.1f} | {race['p99_ms']:.1f} | | | exactly {PLACES}, "
            f"p99 ≤ 300 ms | {'yes' if race_met else '**no**'} |",
            f"| payment notifications (FakePay, signed), req/s | {notify.rps:.0f} ({notify.errors} errors) | "
            f"{notify.p50_ms:.1f} | {notify.p99_ms:.1f} | {base_create.rps:.0f} (bare DRF create) | "
            f"{ratio(notify.rps, base_create.rps)} | ≥ 0.5× | {'yes' if notify_met else '**no**'} |",
            "",
            f"Slot booking measured after an uncounted race for another time (the process's first race, cold: "
            f"p99 {race['first_race_p99_ms']:.1f} ms). "
            f"Notifications: {done['paid']:,} payments paid by the {sum(sent):,} notifications sent once each "
            f"(the warm-up's second included) of {count:,} written; kept as {done['outcomes']}. "
            f"Run took {(time.monotonic() - started) / 60:.1f} min on {os.cpu_count()} cores.",
            *(["", f"**{unprocessed}**"] if unprocessed else []),
        ]
    )
    out = RESULTS / f"{dt.datetime.now():%Y-%m-%d-%H%M}-issue21.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table + "\n")
    print(table)
    log(f"written to {out}")
    if unprocessed:
        raise SystemExit(unprocessed)


def notifications_unprocessed(sent: list[int], count: int, *, paid: int) -> str:
    """Say what is wrong when the notifications answered 2xx did not all pay their payment (the portal answered
    without processing them, or a server other than this run's did), or when the file ran out (repeats, a cheaper
    answer, were measured); "" when each notification sent paid its payment."""
    shares = [len(range(thread, count, NOTIFY_THREADS)) for thread in range(NOTIFY_THREADS)]
    if any(n > share for n, share in zip(sent, shares, strict=True)):
        return f"the {count:,} notifications ran out (sent {sum(sent):,}): repeats were measured; write more"
    # Up to one request per connection was still unanswered when each wrk run stopped (the warm-up and each slice).
    if paid < sum(sent) - (1 + ROUNDS) * NOTIFY_THREADS:
        return f"{sum(sent):,} notifications answered 2xx but only {paid:,} payments paid"
    return ""


if __name__ == "__main__":
    main()
