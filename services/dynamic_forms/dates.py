"""Date questions that relate to today or to another date of the same form (or row of a repeating group):
``x-when: "past"`` (not after today: a last working day), ``x-when: "future"`` (not before today: a preferred
date) and ``x-after: "<another date question beside it>"`` (on or after it: an end after its start)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .fields import field_type_name, label_of

WHEN = ("past", "future")


def _objects(schema: dict):
    """Yield the form's schema and each repeating group's row schema: the objects whose dates may relate."""
    yield schema
    for prop in schema["properties"].values():
        if field_type_name(prop) == "group":
            yield prop["items"]


def check_date_rules(schema: dict) -> None:
    """Raise ValidationError unless every date rule of the form and of its rows is well-formed."""
    for where in _objects(schema):
        props = where["properties"]
        for name, prop in props.items():
            when, after = prop.get("x-when"), prop.get("x-after")
            if when is None and after is None:
                continue
            after_ok = after is None or (after != name and field_type_name(props.get(after)) == "date")
            if field_type_name(prop) != "date" or when not in (None, *WHEN) or not after_ok:
                raise ValidationError(
                    _('%(name)s: x-when ("past" or "future") and x-after (another date question beside it) are for '
                      "date questions.") % {"name": name}
                )  # fmt: skip


def date_rule_errors(*, schema: dict, answers: dict) -> dict[str, str]:
    """Return {dotted path: message} for the answered dates that break their rules (a malformed date is left to
    its own error)."""
    today = timezone.localdate()
    errors = _object_errors(schema, answers, "", today)
    for name, prop in schema["properties"].items():
        rows = answers.get(name)
        if field_type_name(prop) == "group" and isinstance(rows, list):
            for number, row in enumerate(rows):
                if isinstance(row, dict):
                    errors.update(_object_errors(prop["items"], row, f"{name}.{number}.", today))
    return errors


def _object_errors(schema: dict, answers: dict, prefix: str, today: dt.date) -> dict[str, str]:
    props, errors = schema["properties"], {}
    for name, prop in props.items():
        day, after = _date(answers.get(name)), prop.get("x-after")
        start = _date(answers.get(after)) if after else None
        if day is None:
            continue
        if prop.get("x-when") == "past" and day > today:
            errors[prefix + name] = _("This date cannot be in the future.")
        elif prop.get("x-when") == "future" and day < today:
            errors[prefix + name] = _("This date cannot be in the past.")
        elif start is not None and day < start:
            errors[prefix + name] = _("This date cannot be before “%(other)s”.") % {
                "other": label_of(after, props[after])
            }
    return errors


def _date(value) -> dt.date | None:
    if not isinstance(value, str) or len(value) != 10:  # YYYY-MM-DD only, as the format check wants it
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
