"""The public statistics page's charts: horizontal bars as geometry for templates/statistics/_bars.html, drawn in
inline SVG with presentation attributes only (the CSP allows no inline style), the figure written beside each bar."""

from django.utils.translation import gettext as _

from .city import CityView
from .selectors import PublicStatistics, Stat, StatisticsRow


def bar_chart(
    *, title: str, rows: list[StatisticsRow], figure: str, maximum: float | None = None, skip_empty: bool = False
) -> dict:
    """Return a chart of one figure of ``rows``: each row's name, its figure in words, and its bar's width
    (0–100, scaled to ``maximum`` or to the largest value shown); withheld figures get no bar, and with
    ``skip_empty`` rows with nothing to count are left out (the table still lists them)."""
    if skip_empty:
        rows = [row for row in rows if getattr(row, figure).status != "none"]
    stats: list[Stat] = [getattr(row, figure) for row in rows]
    largest = maximum or max((stat.value for stat in stats if stat.shown), default=0)
    bars = [
        {
            "label": row.name,
            "text": str(stat),
            "width": round(100 * stat.value / largest) if stat.shown and largest else 0,
        }
        for row, stat in zip(rows, stats, strict=True)
    ]
    return {"title": title, "bars": bars}


def public_statistics_charts(*, statistics: PublicStatistics) -> dict:
    """Return the page's charts: per department the on-time rate, median processing time and average rating, and
    for each department the on-time rate of its services."""
    departments = statistics.department_rows
    return {
        "overview": [
            bar_chart(title=_("Decided by the due date"), rows=departments, figure="on_time", maximum=100),
            bar_chart(title=_("Median processing time"), rows=departments, figure="median_days"),
            bar_chart(title=_("Average rating"), rows=departments, figure="average_rating", maximum=5),
        ],
        "departments": [
            {
                "statistics": department,
                "chart": bar_chart(
                    title=_("Decided by the due date"),
                    rows=department.services,
                    figure="on_time",
                    maximum=100,
                    skip_empty=True,
                ),
            }
            for department in statistics.departments
        ],
    }


def city_charts(*, view: CityView) -> list[dict]:
    """Return per department of the city view its backlog and its on-time rate by month, as bar charts."""
    return [
        {
            "department": department.department,
            "months": department.months,
            "charts": [
                bar_chart(
                    title=_("Open applications at the end of the month"), rows=department.months, figure="backlog"
                ),
                bar_chart(title=_("Decided by the due date"), rows=department.months, figure="on_time", maximum=100),
            ],
        }
        for department in view.departments
    ]
