"""The API's JSON renderer writes what DRF's JSONRenderer writes, byte for byte, and a raw fragment as it is."""

import datetime as dt
import decimal
import json
import uuid

from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.exceptions import ErrorDetail

from services.api.renderers import JSONRenderer, raw_json
from services.applications.models import Status

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
DOCUMENT = {
    "id": uuid.UUID("01a25328-a1e1-721f-9356-e734b63b7882"),
    "at": dt.datetime(2026, 12, 8, 9, 30, 1, 123456, tzinfo=SHANGHAI),
    "utc": dt.datetime(2026, 12, 8, 1, 30, tzinfo=dt.UTC),
    "naive": dt.datetime(2026, 12, 8, 9, 30),
    "day": dt.date(2026, 12, 8),
    "time": dt.time(9, 30, 1, 500000),
    "long": dt.timedelta(days=1, seconds=5),
    "fee": decimal.Decimal("12.50"),
    "label": gettext_lazy("Submitted"),
    "error": [ErrorDetail("这个字段是必填项。", code="required")],
    "status": Status.SUBMITTED,
    "tags": ("a", "b"),
    "ints": {1: "one", 2: "two"},
    "text": '李雷\u2028line\u2029para "quoted" \\ / \t',
    "numbers": [0, -1, 2**53, 0.1, 1e20, 1.5, True, False, None],
    "nested": {"empty": {}, "list": [], "deep": [{"x": [1, [2, [3]]]}]},
}


def test_it_writes_what_drfs_renderer_writes():
    ours, drfs = JSONRenderer().render(DOCUMENT), renderers.JSONRenderer().render(DOCUMENT)

    assert ours == drfs
    assert b"\\u2028" in ours and b"\xe2\x80\xa8" not in ours  # escaped, for JavaScript


def test_a_raw_fragment_is_written_as_it_is_and_parsed_when_indented():
    data = {"answers": raw_json('{"name": "李雷", "n": [1, 2]}'), "id": 1}

    assert JSONRenderer().render(data) == '{"answers":{"name": "李雷", "n": [1, 2]},"id":1}'.encode()
    indented = JSONRenderer().render(data, "application/json; indent=2")
    assert indented == renderers.JSONRenderer().render({"answers": {"name": "李雷", "n": [1, 2]}, "id": 1},
                                                       "application/json; indent=2")  # fmt: skip
    assert json.loads(indented)["answers"] == {"name": "李雷", "n": [1, 2]}


def test_no_data_is_no_body():
    assert JSONRenderer().render(None) == b""
