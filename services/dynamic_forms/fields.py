"""The registry of form field types: one entry serves schema checks, web rendering and answer conversion.

A service's form is a JSON Schema object. Each property is one question; its field type is chosen
from the property (``enum`` → choice, ``format: date`` → date, ``x-widget: textarea`` → long text, …).
Labels come from ``title`` (English) and ``x-title-zh`` (简体中文); help from ``description`` /
``x-description-zh``; choice labels from ``x-enum-labels: {value: {"en": …, "zh": …}}``.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_LENGTH = 2000


def _zh() -> bool:
    return (get_language() or "").startswith("zh")


def label_of(name: str, prop: dict) -> str:
    """Return the question's label in the active language."""
    return (prop.get("x-title-zh") if _zh() else None) or prop.get("title") or name


def help_of(prop: dict) -> str:
    return (prop.get("x-description-zh") if _zh() else None) or prop.get("description") or ""


def choice_label(prop: dict, value: Any) -> str:
    labels = prop.get("x-enum-labels", {}).get(str(value), {})
    return labels.get("zh" if _zh() else "en") or labels.get("en") or str(value)


@dataclass(frozen=True)
class FieldType:
    """How one kind of question becomes a Django form field and a JSON answer."""

    form_field: Callable[[dict, bool], forms.Field]
    to_json: Callable[[dict, Any], Any] = lambda prop, value: value
    display: Callable[[dict, Any], str] = lambda prop, value: str(value)


def _text(prop, required):
    return forms.CharField(required=required, max_length=prop.get("maxLength", DEFAULT_MAX_LENGTH), strip=True)


def _textarea(prop, required):
    return forms.CharField(
        required=required,
        max_length=prop.get("maxLength", DEFAULT_MAX_LENGTH),
        widget=forms.Textarea(attrs={"rows": 5}),
    )


def _integer(prop, required):
    return forms.IntegerField(required=required, min_value=prop.get("minimum"), max_value=prop.get("maximum"))


def _number(prop, required):
    # FloatField refuses "1e400" and other non-finite values, which JSON (and PostgreSQL's jsonb) cannot hold.
    return forms.FloatField(required=required, min_value=prop.get("minimum"), max_value=prop.get("maximum"))


def _date(prop, required):
    # <input type="date"> only takes ISO dates, whatever the locale's input formats say.
    return forms.DateField(required=required, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _choice(prop, required):
    choices = [(str(v), choice_label(prop, v)) for v in prop["enum"]]
    return forms.ChoiceField(required=required, choices=choices, widget=forms.RadioSelect)


def _choice_to_json(prop, value):
    """Return the schema's own enum value (an integer stays an integer) for the chosen radio value."""
    return {str(v): v for v in prop["enum"]}.get(value, value)


def _yes_no(prop, required):
    return forms.TypedChoiceField(
        required=required,
        choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda v: v == "true",
        empty_value=None,
        widget=forms.RadioSelect,
    )


FIELD_TYPES: dict[str, FieldType] = {
    "text": FieldType(_text),
    "textarea": FieldType(_textarea),
    "integer": FieldType(_integer),
    "number": FieldType(_number, display=lambda prop, v: str(int(v)) if float(v).is_integer() else str(v)),
    "date": FieldType(
        _date,
        to_json=lambda prop, v: v.isoformat(),
        display=lambda prop, v: dt.date.fromisoformat(v).isoformat() if isinstance(v, str) else str(v),
    ),
    "choice": FieldType(_choice, to_json=_choice_to_json, display=choice_label),
    "yes_no": FieldType(_yes_no, display=lambda prop, v: str(_("Yes") if v else _("No"))),
}


def field_type_name(prop: dict) -> str | None:
    """Return the registry name for a schema property, or None if no field type fits it."""
    if not isinstance(prop, dict):
        return None
    if "enum" in prop:
        return "choice"
    kind = prop.get("type")
    if kind == "string":
        if prop.get("format") == "date":
            return "date"
        return "textarea" if prop.get("x-widget") == "textarea" else "text"
    return {"integer": "integer", "number": "number", "boolean": "yes_no"}.get(kind)


def questions(schema: dict) -> list[tuple[str, dict]]:
    """Return the form's (name, property) pairs in display order: ``x-order`` first, then the rest."""
    props = schema.get("properties", {})
    order = [name for name in schema.get("x-order") or [] if name in props]
    order += [name for name in props if name not in order]
    return [(name, props[name]) for name in order]
