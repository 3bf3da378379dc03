"""`BENCH_ONLY=pages` (issue 20, item 4): the resident's and the staff's web pages not measured elsewhere, each under
wrk at 8 concurrent users, uncached (the public statistics' cache is switched off), with the summary of the decisions
rebuilt first as beat does every hour, and the open applications' kept counts added up as it does every minute (the
bench runs no beat: the runs before leave their rows of +1 and -1); target p99 ≤ 300 ms for each page."""

import http.client
import json
from urllib.parse import urlsplit

TARGET_P99_MS = 300
USERS = 8
SUPERVISOR = "health.supervisor@bench.portal"
CITY_SUPERVISOR = "city.supervisor@bench.portal"


def portal_pages() -> str:
    """Rebuild the summary of the decisions and add the open counts up as beat would; return, as JSON, how long the
    rebuild took, the sessions of the bench's resident, a health supervisor and a city supervisor (staff signed in
    with two factors), and the URLs of the resident's pages (run inside the portal's settings, by
    ``manage.py shell``)."""
    import time

    from bench.tools import _session_for
    from services.accounts.models import DepartmentMembership, User
    from services.applications.backlog import open_counts_roll_up
    from services.applications.decisions import decision_days_refresh
    from services.applications.management.commands.seed_scale import BENCH_RESIDENT
    from services.applications.models import Application
    from services.catalogue.models import Department
    from services.statistics.actions import city_supervisor_grant

    started = time.perf_counter()
    rows = decision_days_refresh()
    refresh_s = time.perf_counter() - started
    open_counts_roll_up()
    resident = User.objects.get(email=BENCH_RESIDENT)
    supervisor, _created = User.objects.get_or_create(email=SUPERVISOR, defaults={"is_staff": True})
    DepartmentMembership.objects.update_or_create(
        user=supervisor,
        department=Department.objects.get(code="health"),
        defaults={"role": DepartmentMembership.Role.SUPERVISOR},
    )
    city, _created = User.objects.get_or_create(email=CITY_SUPERVISOR, defaults={"is_staff": True})
    city_supervisor_grant(user=city)
    application = Application.objects.filter(applicant=resident).exclude(submitted_at=None).order_by("-id").first()
    return json.dumps(
        {
            "refresh_s": refresh_s,
            "rows": rows,
            "resident": _session_for(resident),
            "supervisor": _session_for(supervisor, with_totp=True),
            "city": _session_for(city, with_totp=True),
            "application": application.get_absolute_url(),
        }
    )


def _answers_200(url: str, headers: list[str]) -> None:
    """Fail unless the page answers 200 itself (wrk counts a redirect to the sign-in page as a success)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", parts.path, headers=dict(h.split(": ", 1) for h in headers))
    status = connection.getresponse().status
    connection.close()
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200: the bench's login is not what the page needs")


def measure(*, shell, server, wrk, env: dict, url: str) -> str:
    """Rebuild the summary, load each page on a portal server of its own, and return the table (with its header)."""
    print("[bench] pages: rebuilding the summary of past days' decisions", flush=True)
    logins = json.loads(shell(env, "from bench.pages import portal_pages; print(portal_pages())"))
    pages = [
        ("resident: home", "/", "resident"),
        ("resident: my applications", "/applications/", "resident"),
        ("resident: an application", logins["application"], "resident"),
        ("resident: messages", "/notifications/", "resident"),
        ("resident: document wallet", "/documents/", "resident"),
        ("public statistics (uncached)", "/statistics/", None),
        ("supervisor: dashboard", "/admin/routing/backlog/", "supervisor"),
        ("city supervisor: city view", "/statistics/city/", "city"),
    ]
    portal = server("portal.wsgi", url, {**env, "STATISTICS_CACHE_SECONDS": "0"})
    lines = []
    try:
        for name, path, who in pages:
            headers = [f"Cookie: sessionid={logins[who]}"] if who else []
            _answers_200(f"{url}{path}", headers)
            load = wrk(f"{url}{path}", connections=USERS, headers=headers)
            answered = load.rps > 0 and load.p99_ms > 0  # wrk prints no latencies when nothing answered in time
            met = "yes" if answered and load.p99_ms <= TARGET_P99_MS and load.errors == 0 else "**no**"
            lines.append(
                f"| {name} | {load.rps:.0f} | {load.p50_ms:.1f} | {load.p99_ms:.1f} | {load.errors} | "
                f"p99 ≤ {TARGET_P99_MS} ms | {met} |"
            )
    finally:
        portal.stop()
    return (
        f"\n| page, {USERS} users at once | req/s | p50 ms | p99 ms | errors | target | met |\n"
        "|---|---:|---:|---:|---:|---|---|\n"
        + "\n".join(lines)
        + f"\n\nSummary of past days' decisions rebuilt in {logins['refresh_s']:.1f} s ({logins['rows']:,} rows).\n"
    )
