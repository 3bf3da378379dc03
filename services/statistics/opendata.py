"""The city view's figures as open data: one row per figure (tidy), in CSV and JSON, with no personal data: only
counts and rates, those resting on fewer than ``MINIMUM_APPLICATIONS`` applications withheld (an empty value and
the status "few")."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from services.common.spreadsheets import csv_bytes

from .city import CityView, Named

COLUMNS = ["table", "code", "name_zh", "name_en", "month", "figure", "value", "status"]


def _rows(table: str, named: Named, *, month: str = "") -> list[dict]:
    return [
        {
            "table": table,
            "code": named.code,
            "name_zh": named.name_zh,
            "name_en": named.name_en,
            "month": month,
            "figure": figure,
            "value": stat.value,
            "status": stat.status,
        }
        for figure, stat in named.figures.items()
    ]


def city_open_data_rows(*, view: CityView) -> list[dict]:
    """Return every figure of the city view as a row: services (applications over the months shown, share asked
    for information, next month's forecast and its error), districts, departments by month, the city, proactive
    uptake per service and changes of circumstances left unacknowledged per department."""
    rows = [row for service in view.services for row in _rows("service", service)]
    rows += [row for district in view.districts for row in _rows("district", district)]
    for department in view.departments:
        owner = {key: getattr(department.department, key) for key in ("code", "name_zh", "name_en")}
        for month in department.months:
            rows += [row | owner for row in _rows("department_month", month, month=month.code)]
    rows += _rows("city", view.total)
    rows += [row for service in view.uptake for row in _rows("proactive_uptake", service)]
    rows += [row for department in view.unacknowledged for row in _rows("unacknowledged_changes", department)]
    return rows


def city_open_data_json(*, view: CityView) -> bytes:
    """Return the open data as JSON: what the figures cover, then the rows."""
    about = {
        "as_of": view.today,
        "refreshed_at": view.refreshed_at,
        "months_from": view.first_month,
        "forecast_month": view.forecast_month,
        "held_out_months": view.held_out,
        "minimum_applications": view.minimum,
        "columns": COLUMNS,
    }
    return json.dumps({"about": about, "rows": city_open_data_rows(view=view)}, cls=DjangoJSONEncoder).encode()


def city_open_data_csv(*, view: CityView) -> bytes:
    """Return the open data as UTF-8 CSV, with no cell a spreadsheet would run as a formula."""
    rows = city_open_data_rows(view=view)
    return csv_bytes(header=COLUMNS, rows=[["" if row[c] is None else str(row[c]) for c in COLUMNS] for row in rows])
