"""The supervisors' panels of the routing dashboard: queues, workload, bad ratings to follow up, and per service
the on-time rate and the median processing time by week, as bar charts drawn in inline SVG by the server (no
script, no inline style: the CSP allows neither), each with its table of figures."""

import datetime as dt

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from services.accounts.permissions import StaffScope
from services.ratings.selectors import follow_up_list_for_staff

from .selectors import WeekFigures, backlog_by_team, caseworker_workload, service_performance

WIDTH, HEIGHT, BASELINE, GAP = 360, 130, 108, 6


def bar_chart(*, title: str, points: list[tuple[str, float | None]], maximum: float, flag_below=None) -> SafeString:
    """Return the markup of a bar chart of ``points`` (label, value; None draws no bar) scaled to ``maximum``, bars
    under ``flag_below`` flagged: built as one string (a template loop per bar cost most of the page's time), each
    bar titled with its label and value, the chart labelled and captioned with ``title``."""
    width = (WIDTH - GAP) // max(len(points), 1) - GAP
    title = escape(title)
    parts = [
        f'<figure class="chart">\n<svg width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}">\n  <line class="axis" x1="0" y1="{BASELINE}" x2="{WIDTH}" y2="{BASELINE}"/>\n'
    ]
    for index, (label, value) in enumerate(points):
        height = 0 if value is None or not maximum else round((BASELINE - 12) * min(value, maximum) / maximum)
        x, y, label = GAP + index * (width + GAP), BASELINE - height, escape(label)
        shown = "–" if value is None else f"{value:g}"
        flagged = " bar-low" if flag_below is not None and value is not None and value < flag_below else ""
        parts.append(
            f'  <rect class="bar{flagged}" x="{x}" y="{y}" width="{width}" height="{height}"><title>{label}: {shown}'
            f'</title></rect>\n  <text x="{x}" y="{y - 2}">{shown}</text>\n'
            f'  <text x="{x}" y="{HEIGHT - 6}">{label}</text>\n'
        )
    parts.append(f"</svg>\n<figcaption>{title}</figcaption>\n</figure>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308, B703  # every text in it escaped above


def figures_rows(weeks: list[WeekFigures]) -> SafeString:
    """Return the rows of the table under a service's charts (the charts' figures, week by week), built as one
    string as the charts are: numbers only, written as the template wrote them ("–" for none)."""
    rows = [
        f"<tr><td>{week.week:%Y-%m-%d}</td><td>{week.decided}</td><td>{week.on_time}</td>"
        f"<td>{'–' if week.on_time_percent is None else week.on_time_percent}</td>"
        f"<td>{'–' if week.median_days is None else week.median_days}</td></tr>"
        for week in weeks
    ]
    return mark_safe("".join(rows))  # noqa: S308  # nosec B308, B703  # dates and numbers only


def supervisor_panels(*, scope: StaffScope, department_ids: list[int], today: dt.date) -> dict:
    """Return the dashboard's panels for the departments a staff ``scope`` supervises (or administers)."""
    performance = service_performance(department_ids=department_ids, today=today)
    for row in performance:
        labels = [f"{figures.week:%m-%d}" for figures in row["weeks"]]
        row["on_time_chart"] = bar_chart(
            title=_("Decided by the due date (%) per week"),
            points=list(zip(labels, [figures.on_time_percent for figures in row["weeks"]], strict=True)),
            maximum=100,
            flag_below=90,
        )
        medians = [figures.median_days for figures in row["weeks"]]
        row["median_chart"] = bar_chart(
            title=_("Median working days from submission to decision per week"),
            points=list(zip(labels, medians, strict=True)),
            maximum=max((m for m in medians if m is not None), default=0),
        )
        row["figures"] = figures_rows(row["weeks"])
    return {
        "queues": backlog_by_team(department_ids=department_ids, today=today),
        "workload": caseworker_workload(department_ids=department_ids, today=today),
        "performance": performance,
        "follow_ups": follow_up_list_for_staff(scope=scope).open().filter(department_id__in=department_ids)[:50],
    }
