"""`make bench`, issue 18 part A (BENCH_ONLY=proactive): a proactive rule run over BENCH_RESIDENTS residents
(100,000 by default), residents checked per second against a bare loop evaluating the same rules in Python over
the same rows; the portal on a database of its own."""

import datetime as dt
import json
import os
import time

from bench.pg import db
from bench.run import PG, PORTAL_ENV, RESIDENTS, RESULTS, create_database, log, manage, ratio, shell, wanted

ENV = {**PORTAL_ENV, "DATABASE_URL": f"{PG}/{db('bench_proactive')}"}


def tools(code: str) -> dict:
    """Run ``code`` with bench/tools18a.py's helpers at hand; return the JSON of its last line of output."""
    return json.loads(shell(ENV, f"from bench.tools18a import *\n{code}").splitlines()[-1])


def main() -> None:
    started = time.monotonic()
    create_database("bench_proactive")
    manage(ENV, "migrate", "--noinput")
    log(f"proactive: {RESIDENTS:,} residents")
    shell(ENV, f"from bench.tools18a import seed_residents; seed_residents({RESIDENTS})")
    bare = tools("print(bare_loop())")
    dry = tools("print(portal_dry_run())")
    run = tools("print(portal_run())")
    bare_rate, dry_rate, run_rate = (row["residents"] / row["seconds"] for row in (bare, dry, run))
    million = 1_000_000 / run_rate
    met = {name: "yes" if rate >= bare_rate / 2 else "**no**" for name, rate in (("dry", dry_rate), ("run", run_rate))}
    table = "\n".join(
        [
            f"# Benchmark, proactive rules {dt.datetime.now():%Y-%m-%d %H:%M} ({bare['residents']:,} residents)",
            "",
            "| path | residents checked/s | matched | seconds | baseline/s | ratio | target | met |",
            "|---|---:|---:|---:|---:|---:|---|---|",
            f"| bare loop: plain cursor, the same rules in Python | {bare_rate:,.0f} | {bare['matched']:,} | "
            f"{bare['seconds']:.2f} | | | | |",
            f"| dry run (admin, command) | {dry_rate:,.0f} | {dry['matched']:,} | {dry['seconds']:.2f} | "
            f"{bare_rate:,.0f} | {ratio(dry_rate, bare_rate)} | ≥ 0.5× | {met['dry']} |",
            f"| run: offers made, with their inbox messages | {run_rate:,.0f} | {run['matched']:,} | "
            f"{run['seconds']:.2f} | {bare_rate:,.0f} | {ratio(run_rate, bare_rate)} | ≥ 0.5× | "
            f"{met['run']} |",
            "",
            f"1,000,000 residents at the run's rate: {million / 60:.1f} min (target < 10 min, progress shown per "
            f"chunk of 5,000). Run took {(time.monotonic() - started) / 60:.1f} min on {os.cpu_count()} cores.",
        ]
    )
    out = RESULTS / f"{dt.datetime.now():%Y-%m-%d-%H%M}-proactive.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table + "\n")
    print(table)
    log(f"written to {out}")


if __name__ == "__main__" and wanted("proactive"):
    main()
