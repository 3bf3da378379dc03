"""The registry of form field types: one entry serves validation, web rendering, display and the API.

A service's form is a JSON Schema object. Each property is one question; its field type is chosen
from the property (``enum`` → choice, ``format: date`` → date, ``x-widget: textarea`` → long text, …,
see ``field_type_name``). Labels come from ``title`` (English) and ``x-title-zh`` (简体中文); help from
``description`` / ``x-description-zh``; choice labels from ``x-enum-labels: {value: {"en": …, "zh": …}}``.

The form's order, steps and conditions (``x-order``, ``x-steps``, ``x-show-if``) are read in
``structure.py``. ``x-prefill: "<profile fact>"`` on a question fills it in from the resident's profile
(see accounts.selectors).

Each type's ``enforce`` returns the property as checked: the standard JSON Schema an app can validate
with, including the parts an author need not write (the address's districts, a length cap, ...).
"""

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from services.accounts.models import District
from services.accounts.validators import normalize_resident_id, validate_resident_id, without_separators
from services.common.i18n import is_chinese

from .document_field import (
    document_display,
    document_enforce,
    document_form_field,
    document_to_initial,
    document_to_json,
)
from .structure import questions

DEFAULT_MAX_LENGTH = 2000
DEFAULT_MAX_ITEMS = 20
STREET_MAX_LENGTH = 200


def label_of(name: str, prop: dict) -> str:
    """Return the question's (or step's) label in the active language."""
    return (prop.get("x-title-zh") if is_chinese() else None) or prop.get("title") or name


def help_of(prop: dict) -> str:
    return (prop.get("x-description-zh") if is_chinese() else None) or prop.get("description") or ""


def choice_label(prop: dict, value: Any) -> str:
    labels = prop.get("x-enum-labels", {}).get(str(value), {})
    return labels.get("zh" if is_chinese() else "en") or labels.get("en") or str(value)


def _options(prop: dict) -> list:
    return prop["items"]["enum"] if prop.get("type") == "array" else prop["enum"]


@dataclass(frozen=True)
class FieldType:
    """How one kind of question is checked, becomes a web form field, and turns into a JSON answer and back."""

    form_field: Callable[[dict, bool], forms.Field] | None  # None: a group, asked as rows of its sub-questions
    enforce: Callable[[dict, bool], dict] = lambda prop, partial: prop  # the JSON Schema as checked
    to_json: Callable[[dict, Any], Any] = lambda prop, value: value
    to_initial: Callable[[dict, Any], Any] = lambda prop, value: value
    display: Callable[[dict, Any], str] = lambda prop, value: str(value)
    format: str | None = None  # a JSON Schema format this type owns, checked by ``check``
    check: Callable[[str], bool] | None = None
    invalid: str = _("This answer is not valid.")  # the message when the format check fails
    # What people type around a number (spaces, dashes, +86), removed before the answer is checked, web and API.
    normalize: Callable[[str], str] | None = None


def _capped(prop, partial):
    return prop if "maxLength" in prop else {**prop, "maxLength": DEFAULT_MAX_LENGTH}


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
    widget = forms.Select if prop.get("x-widget") == "select" else forms.RadioSelect
    if widget is forms.Select:
        choices = [("", "—"), *choices]
    return forms.ChoiceField(required=required, choices=choices, widget=widget)


def _choice_to_json(prop, value):
    """Return the schema's own enum value (an integer stays an integer) for the chosen radio value."""
    return {str(v): v for v in _options(prop)}.get(value, value)


def _multi_choice(prop, required):
    choices = [(str(v), choice_label(prop, v)) for v in _options(prop)]
    return forms.MultipleChoiceField(required=required, choices=choices, widget=forms.CheckboxSelectMultiple)


def _multi_choice_enforce(prop, partial):
    enforced = {**prop, "uniqueItems": True, "maxItems": len(_options(prop))}
    if partial:
        enforced.pop("minItems", None)
    return enforced


def _yes_no(prop, required):
    return forms.TypedChoiceField(
        required=required,
        choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda v: v == "true",
        empty_value=None,
        widget=forms.RadioSelect,
    )


def _phone_normalize(value: str) -> str:
    """Keep the digits of a mainland mobile number, without a +86 prefix (anything else is left to be refused)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    return digits[2:] if len(digits) == 13 and value.lstrip().startswith("+86") else digits or value


def _is_phone(value: str) -> bool:
    return bool(re.fullmatch(r"1\d{10}", value))


def _number_input(max_length: int, **attrs):
    """Return a form field for a number typed as text: long enough for the spaces and dashes people put in it."""

    def form_field(prop, required):
        widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", **attrs})
        return forms.CharField(required=required, max_length=max_length, widget=widget)

    return form_field


def _is_bank_account(value: str) -> bool:
    return bool(re.fullmatch(r"\d{12,19}", value))


def _is_resident_id(value: str) -> bool:
    try:
        validate_resident_id(value)
    except ValidationError:
        return False
    return value == normalize_resident_id(value)


class AddressWidget(forms.MultiWidget):
    """A district select and a street input, each with its own visible label, inside the question's fieldset."""

    template_name = "dynamic_forms/address_widget.html"

    def __init__(self):
        super().__init__(
            [
                forms.Select(choices=[("", "—"), *District.choices]),
                forms.TextInput(attrs={"autocomplete": "street-address", "maxlength": STREET_MAX_LENGTH}),
            ]
        )

    def decompress(self, value):
        return [value.get("district"), value.get("street")] if isinstance(value, dict) else [None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, label in zip(context["widget"]["subwidgets"], (_("District"), _("Street address")), strict=True):
            subwidget["label"] = label
        return context


class AddressField(forms.MultiValueField):
    widget = AddressWidget

    def __init__(self, required):
        super().__init__(
            fields=[
                forms.ChoiceField(choices=District.choices),
                forms.CharField(max_length=STREET_MAX_LENGTH),
            ],
            required=required,
        )

    def compress(self, data_list):
        return {"district": data_list[0], "street": data_list[1]} if data_list else None


def _in_both_languages(text) -> dict:
    """Return a translatable text in both languages, as the schemas' labels hold them: {"en": …, "zh": …}."""
    words = {}
    for key, language in (("en", "en"), ("zh", "zh-hans")):
        with translation.override(language):
            words[key] = str(text)
    return words


@functools.cache  # the same for every form; worded once per process
def _address_properties() -> dict:
    district, street = _in_both_languages(_("District")), _in_both_languages(_("Street address"))
    return {
        "district": {
            "type": "string",
            "title": district["en"],
            "x-title-zh": district["zh"],
            "enum": list(District.values),
            "x-enum-labels": {value: _in_both_languages(label) for value, label in District.choices},
        },
        "street": {
            "type": "string",
            "title": street["en"],
            "x-title-zh": street["zh"],
            "minLength": 1,
            "maxLength": STREET_MAX_LENGTH,
        },
    }


def _address_enforce(prop, partial):
    return {
        **prop,
        "properties": _address_properties(),  # shared: never changed by its readers
        **({} if partial else {"required": ["district", "street"]}),
        "additionalProperties": False,
    }


def _address_display(prop, value):
    return f"{District(value['district']).label} {value.get('street', '')}".strip() if value.get("district") else ""


def _group_enforce(prop, partial):
    items = prop["items"]
    sub = {name: FIELD_TYPES[field_type_name(p)].enforce(p, partial) for name, p in items["properties"].items()}
    enforced_items = {**items, "properties": sub, "additionalProperties": False}
    if partial:
        enforced_items.pop("required", None)
    enforced = {**prop, "items": enforced_items, "maxItems": prop.get("maxItems", DEFAULT_MAX_ITEMS)}
    if partial:
        enforced.pop("minItems", None)
    return enforced


def _group_display(prop, rows):
    lines = []
    for number, row in enumerate(rows, 1):
        parts = [display_answer(p, row[name]) for name, p in questions(prop["items"]) if name in row]
        lines.append(f"{number}. {', '.join(parts)}")
    return "\n".join(lines)


FIELD_TYPES: dict[str, FieldType] = {
    "text": FieldType(_text, enforce=_capped),
    "textarea": FieldType(_textarea, enforce=_capped),
    "integer": FieldType(_integer),
    "number": FieldType(_number, display=lambda prop, v: str(int(v)) if float(v).is_integer() else str(v)),
    "date": FieldType(
        _date,
        to_json=lambda prop, v: v.isoformat(),
        display=lambda prop, v: dt.date.fromisoformat(v).isoformat() if isinstance(v, str) else str(v),
        format="date",
        invalid=_("Enter a real date, as YYYY-MM-DD."),
    ),
    "choice": FieldType(_choice, to_json=_choice_to_json, display=choice_label),
    "multi_choice": FieldType(
        _multi_choice,
        enforce=_multi_choice_enforce,
        to_json=lambda prop, values: [_choice_to_json(prop, v) for v in values],
        to_initial=lambda prop, values: [str(v) for v in values],
        display=lambda prop, values: ", ".join(choice_label(prop, v) for v in values),
    ),
    "yes_no": FieldType(
        _yes_no,
        to_initial=lambda prop, v: "true" if v is True else "false" if v is False else v,
        display=lambda prop, v: str(_("Yes") if v else _("No")),
    ),
    "phone": FieldType(
        _number_input(20, type="tel", autocomplete="tel", inputmode="tel"),
        to_json=lambda prop, v: _phone_normalize(v),
        normalize=_phone_normalize,
        format="cn-mobile",
        check=_is_phone,
        invalid=_("Enter an 11-digit mainland mobile number starting with 1."),
    ),
    "resident_id": FieldType(
        _number_input(30),
        to_json=lambda prop, v: normalize_resident_id(v),
        normalize=normalize_resident_id,
        format="cn-resident-id",
        check=_is_resident_id,
        invalid=_("Enter the 18-character resident ID number exactly as on the card; check each digit."),
    ),
    "bank_account": FieldType(
        _number_input(40, inputmode="numeric"),
        to_json=lambda prop, v: without_separators(v),
        normalize=without_separators,
        format="cn-bank-account",
        check=_is_bank_account,
        invalid=_("Enter the account number: 12 to 19 digits."),
    ),
    "address": FieldType(
        lambda prop, required: AddressField(required), enforce=_address_enforce, display=_address_display
    ),
    "document": FieldType(
        document_form_field,
        enforce=document_enforce,
        to_json=document_to_json,
        to_initial=document_to_initial,
        display=document_display,
    ),
    "group": FieldType(None, enforce=_group_enforce, display=_group_display),
}
FORMATS = {ft.format: name for name, ft in FIELD_TYPES.items() if ft.format}
# What a row of a repeating group may ask: one plain answer per sub-question.
ROW_TYPES = frozenset(FIELD_TYPES) - {"group", "address", "document"}


def field_type_name(prop: dict) -> str | None:
    """Return the registry name for a schema property, or None if no field type fits it."""
    if not isinstance(prop, dict):
        return None
    if "enum" in prop:
        return "choice"
    kind = prop.get("type")
    if kind == "string":
        if prop.get("format") in FORMATS:
            return FORMATS[prop["format"]]
        return "textarea" if prop.get("x-widget") == "textarea" else "text"
    if kind == "array":
        items = prop.get("items")
        if isinstance(items, dict) and isinstance(items.get("enum"), list):
            return "multi_choice"
        if isinstance(items, dict) and items.get("type") == "object" and isinstance(items.get("properties"), dict):
            return "group"
        return None
    if kind == "object":
        if prop.get("x-widget") == "address":
            return "address"
        if isinstance(prop.get("x-document-type"), str) and prop["x-document-type"]:
            return "document"
        return None
    return {"integer": "integer", "number": "number", "boolean": "yes_no"}.get(kind)


def display_answer(prop: dict, value: Any) -> str:
    """Return a stored answer as the resident reads it, in the active language."""
    return FIELD_TYPES[field_type_name(prop)].display(prop, value)
