"""A simple forecast of next month's applications from past months, and how accurate it was on held-out months.

The level is the mean of three months, skipping the month just before the forecast one (still running when the
forecast is made); the seasonality is how the same month a year earlier compared with its own three such months.
A service with under 16 months of history, or none then, gets no seasonality (a factor of 1)."""

import datetime as dt
from dataclasses import dataclass

LEVEL_MONTHS = (2, 3, 4)  # months before the forecast one whose mean is the level
HELD_OUT = 3  # the last complete months the forecast is tried on


def add_months(month: dt.date, n: int) -> dt.date:
    """Return the first day of the month ``n`` months after (or before) ``month``'s."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def forecast(series: dict[dt.date, int], *, month: dt.date) -> float:
    """Return the forecast of ``month`` from ``series`` (month → applications), reading only the months before
    the one just before it."""
    level = sum(series.get(add_months(month, -k), 0) for k in LEVEL_MONTHS) / len(LEVEL_MONTHS)
    year_ago = add_months(month, -12)
    level_year_ago = sum(series.get(add_months(year_ago, -k), 0) for k in LEVEL_MONTHS) / len(LEVEL_MONTHS)
    season = series.get(year_ago, 0) / level_year_ago if level_year_ago else 1.0
    return level * season


@dataclass(frozen=True)
class Accuracy:
    """How far the forecasts of held-out months were from what came: the mean absolute percentage error over the
    months with applications, and the base (applications in those months)."""

    mape: float | None  # percent; None when no held-out month had applications
    actual: int


def backtest(series: dict[dt.date, int], *, months: list[dt.date]) -> Accuracy:
    """Return the accuracy of ``forecast`` on ``months`` (each forecast from the months before it only)."""
    errors = [
        abs(forecast(series, month=month) - series[month]) / series[month] for month in months if series.get(month)
    ]
    mape = round(100 * sum(errors) / len(errors), 1) if errors else None
    return Accuracy(mape=mape, actual=sum(series.get(month, 0) for month in months))
