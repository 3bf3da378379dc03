"""The API's JSON: DRF's JSONRenderer's output, written by orjson (a one-call submission's 4 kB answer 54 -> 5 us),
with JSON the database already holds sent as it is (``raw_json``): a list's answers are never parsed to be written
out again (parsing and writing them were a sixth of a 'my applications' request's CPU)."""

import json

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

# DRF's own JSON for what orjson leaves to it: its format of a date and time (milliseconds, "Z"), lazy strings,
# decimals, sets. orjson writes the rest as json.dumps would (UUIDs, enums, str and int subclasses, keys not str).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


def raw_json(text: str) -> orjson.Fragment:
    """JSON text the database holds (a ``jsonb`` column read as text), to be written into a response as it is."""
    return orjson.Fragment(text)


class _Encoder(JSONEncoder):
    """DRF's encoder, for what orjson hands back and for an indented answer: a raw fragment parsed."""

    def default(self, obj):
        if isinstance(obj, orjson.Fragment):
            return json.loads(orjson.dumps(obj))
        return super().default(obj)


_default = _Encoder().default


class JSONRenderer(renderers.JSONRenderer):
    """DRF's compact, UTF-8 JSON (U+2028 and U+2029 escaped, for JavaScript) by orjson; an answer asked for indented
    (``Accept: application/json; indent=4``) by DRF's own renderer."""

    encoder_class = _Encoder

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None or self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        rendered = orjson.dumps(data, default=_default, option=_OPTIONS)
        if b"\xe2\x80\xa8" in rendered or b"\xe2\x80\xa9" in rendered:
            rendered = rendered.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return rendered
