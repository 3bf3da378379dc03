"""The supervisors' panels of the routing dashboard: queues, workload, bad ratings to follow up, and per service
the on-time rate and the median processing time by week, as bar charts drawn in inline SVG by the server (no
script, no inline style: the CSP allows neither), each with its table of figures."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from services.accounts.permissions import StaffScope
from services.ratings.selectors import follow_up_list_for_staff

from .selectors import backlog_by_team, caseworker_workload, service_performance

WIDTH, HEIGHT, BASELINE, GAP = 360, 130, 108, 6


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    height: int
    label: str  # the week, under the bar
    value: str  # the number, above the bar and in its tooltip
    flagged: bool  # drawn in the warning colour


def bar_chart(*, title: str, points: list[tuple[str, float | None]], maximum: float, flag_below=None) -> dict:
    """Return the geometry of a bar chart of ``points`` (label, value; None draws no bar) scaled to ``maximum``,
    bars under ``flag_below`` flagged, for templates/admin/caseworker/bar_chart.html."""
    width = (WIDTH - GAP) // max(len(points), 1) - GAP
    bars = []
    for index, (label, value) in enumerate(points):
        height = 0 if value is None or not maximum else round((BASELINE - 12) * min(value, maximum) / maximum)
        bars.append(
            Bar(
                x=GAP + index * (width + GAP),
                y=BASELINE - height,
                width=width,
                height=height,
                label=label,
                value="–" if value is None else f"{value:g}",
                flagged=flag_below is not None and value is not None and value < flag_below,
            )
        )
    return {"title": title, "bars": bars, "width": WIDTH, "height": HEIGHT, "baseline": BASELINE}


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
    return {
        "queues": backlog_by_team(department_ids=department_ids, today=today),
        "workload": caseworker_workload(department_ids=department_ids, today=today),
        "performance": performance,
        "follow_ups": follow_up_list_for_staff(scope=scope).open().filter(department_id__in=department_ids)[:50],
    }
