"""Server-side validation of form schemas and of residents' answers, with the ``jsonschema`` library."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from services.accounts.selectors import PROFILE_FACTS

from .dates import check_date_rules, date_rule_errors
from .fields import FIELD_TYPES, ROW_TYPES, field_type_name
from .structure import questions

FORMAT_CHECKER = FormatChecker()
for _field_type in FIELD_TYPES.values():
    if _field_type.check:
        # A format only speaks about strings; another type is the "type" keyword's business.
        FORMAT_CHECKER.checks(_field_type.format)(
            lambda value, check=_field_type.check: not isinstance(value, str) or check(value)
        )
FORMAT_MESSAGES = {ft.format: ft.invalid for ft in FIELD_TYPES.values() if ft.format}
STEP_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_ANSWER_DEPTH = 5  # a repeating group's answer nests two levels (rows, then their answers); deeper is an attack
# When one answer breaks several rules, say the one that matters: a choice is "not an option" before "not text".
FIRST_SAID = ("enum", "const", "type")
PLAIN_NAME = re.compile(r"[\w-]{1,40}")
MAX_NAMED_UNKNOWN = 10


def too_deep(value, depth: int = MAX_ANSWER_DEPTH) -> bool:
    """Return whether lists and objects nest in ``value`` deeper than ``depth`` (checked level by level, without
    recursion, so a depth bomb costs no stack)."""
    level = [value]
    for _level in range(depth):
        level = [
            child
            for item in level
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
        ]
        if not level:
            return False
    return True


def _names(names) -> str:
    """Return names for a message: at most five, each cut short (they may come from hostile input)."""
    names = [str(name)[:40] for name in sorted(names, key=str)]
    return ", ".join(names[:5]) + (", …" if len(names) > 5 else "")


def _unknown_errors(path: list, extra: set) -> list[tuple[list, str]]:
    """Return where answers to unknown questions are reported: each on its own name when they are a few plain
    names (an app's typo: ``answers.<name>``), else one error on the enclosing object naming some (hostile input)."""
    if len(extra) <= MAX_NAMED_UNKNOWN and all(PLAIN_NAME.fullmatch(str(name)) for name in extra):
        return [([*path, name], _("This form has no such question.")) for name in sorted(extra, key=str)]
    return [(path, _("Unknown questions: %(names)s") % {"names": _names(extra)})]


def validate_form_schema(schema) -> None:
    """Raise ValidationError unless ``schema`` is a form: a JSON Schema object whose every question has a
    field type, with well-formed steps, conditions and profile prefills."""
    if not isinstance(schema, dict) or schema.get("type") != "object" or not schema.get("properties"):
        raise ValidationError(_("A form schema is a JSON Schema of type object with properties."))
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise ValidationError(_("Not a valid JSON Schema: %(error)s") % {"error": exc.message}) from exc
    props = schema["properties"]
    unknown = [name for name, prop in props.items() if field_type_name(prop) is None]
    if unknown:
        raise ValidationError(_("No field type fits these questions: %(names)s") % {"names": ", ".join(unknown)})
    for name, prop in props.items():
        if field_type_name(prop) == "group":
            _check_group(name, prop)
    # A required question that is not asked could never be answered, so no application could be submitted.
    missing = [name for name in schema.get("required", []) if name not in props]
    if missing:
        raise ValidationError(
            _("These required questions are not in the form: %(names)s") % {"names": ", ".join(missing)}
        )
    step_of = _check_steps(schema)
    check_date_rules(schema)
    for name, prop in props.items():
        if "x-show-if" in prop:
            _check_condition(name, prop, props, step_of)
        if "x-prefill" in prop and PROFILE_FACTS.get(prop["x-prefill"], (None,))[0] != field_type_name(prop):
            raise ValidationError(
                _("%(name)s: x-prefill must name a profile fact of the same type (%(facts)s).")
                % {"name": name, "facts": ", ".join(PROFILE_FACTS)}
            )


def _check_group(name: str, prop: dict) -> None:
    items = prop["items"]
    odd = [sub for sub, p in items["properties"].items() if field_type_name(p) not in ROW_TYPES]
    missing = [sub for sub in items.get("required", []) if sub not in items["properties"]]
    if odd or missing or not items["properties"]:
        raise ValidationError(
            _("%(name)s: each row of a repeating group asks plain questions only, and requires only those it asks.")
            % {"name": name}
        )
    _check_order(items, name)


def _check_order(schema: dict, where: str) -> None:
    """Check that the order of several questions is written down: ``x-order`` naming each once (``x-steps`` does
    it for a whole form). A JSON object's keys have no order, and PostgreSQL's jsonb does not keep it."""
    names = list(schema["properties"])
    order = schema.get("x-order")
    if len(names) > 1 and (not isinstance(order, list) or sorted(map(str, order)) != sorted(names)):
        raise ValidationError(
            _("%(where)s: list the questions in the order they are asked in x-order (or, for a form, x-steps).")
            % {"where": where}
        )


def _check_steps(schema: dict) -> dict[str, int]:
    """Check ``x-steps`` puts every question on exactly one step; return each question's step number."""
    steps = schema.get("x-steps")
    if steps is None:
        _check_order(schema, _("the form"))
        return dict.fromkeys(schema["properties"], 0)
    valid = isinstance(steps, list) and steps and all(
        isinstance(s, dict) and isinstance(s.get("key"), str) and STEP_KEY.match(s["key"])
        and isinstance(s.get("fields"), list) and s["fields"]
        for s in steps
    )  # fmt: skip
    if not valid:
        raise ValidationError(_('x-steps is a list of steps, each {"key": "a-slug", "title": …, "fields": [names]}.'))
    placed = [name for step in steps for name in step["fields"]]
    keys = [step["key"] for step in steps]
    if sorted(map(str, placed)) != sorted(schema["properties"]) or len(set(keys)) != len(keys):
        raise ValidationError(_("x-steps must place every question on exactly one step, and name each step once."))
    return {name: number for number, step in enumerate(steps) for name in step["fields"]}


def _check_condition(name: str, prop: dict, props: dict, step_of: dict[str, int]) -> None:
    condition = prop["x-show-if"]
    field = condition.get("field") if isinstance(condition, dict) else None
    shape_ok = (
        isinstance(field, str)
        and field in props
        and field != name
        and ("equals" in condition or isinstance(condition.get("in"), list))
    )
    if not shape_ok:
        raise ValidationError(
            _('%(name)s: x-show-if is {"field": <another question>, "equals": <value>} or "in": [values].')
            % {"name": name}
        )
    values = condition["in"] if "in" in condition else [condition["equals"]]
    # Asked on an earlier page, the answer decides before the question is shown: no JavaScript needed.
    if step_of[field] >= step_of[name]:
        raise ValidationError(
            _("%(name)s: the question it depends on (%(field)s) must be on an earlier step.")
            % {"name": name, "field": field}
        )
    enforced = FIELD_TYPES[field_type_name(props[field])].enforce(props[field], False)
    checker = Draft202012Validator(enforced, format_checker=FORMAT_CHECKER)
    if not all(checker.is_valid(value) for value in values):
        raise ValidationError(
            _("%(name)s: x-show-if compares with a value %(field)s can never have.") % {"name": name, "field": field}
        )


def enforced_schema(schema: dict, *, partial: bool = False) -> dict:
    """Return the form's JSON Schema as enforced: every type's standard parts, no unknown answers, a length cap
    on text, conditions as if/then/else, and for a partial (draft) answer set nothing required."""
    props = {name: FIELD_TYPES[field_type_name(prop)].enforce(prop, partial) for name, prop in questions(schema)}
    required = schema.get("required", [])
    strict = {**schema, "properties": props, "additionalProperties": False}
    strict.pop("required", None)
    if not partial and required:
        strict["required"] = [name for name in required if "x-show-if" not in props[name]]
    conditions = [_condition(name, prop, required=name in required and not partial) for name, prop in props.items()
                  if "x-show-if" in prop]  # fmt: skip
    if conditions:
        strict["allOf"] = [*schema.get("allOf", []), *conditions]
    return strict


def _condition(name: str, prop: dict, *, required: bool) -> dict:
    condition = prop["x-show-if"]
    test = {"const": condition["equals"]} if "equals" in condition else {"enum": condition["in"]}
    rule = {
        "if": {"properties": {condition["field"]: test}, "required": [condition["field"]]},
        "else": {"not": {"required": [name]}},
    }
    if required:
        rule["then"] = {"required": [name]}
    return rule


def _message(error) -> str:
    limits = {
        "maxLength": _("Use at most %(limit)s characters."),
        "minLength": _("Use at least %(limit)s characters."),
        "minimum": _("Enter a number of at least %(limit)s."),
        "maximum": _("Enter a number of at most %(limit)s."),
        "minItems": _("Give at least %(limit)s."),
        "maxItems": _("Give at most %(limit)s."),
    }
    if error.validator in limits:
        return limits[error.validator] % {"limit": error.validator_value}
    if error.validator == "enum":
        return _("Choose one of the options.")
    if error.validator == "uniqueItems":
        return _("Choose each option only once.")
    if error.validator == "format":
        return str(FORMAT_MESSAGES.get(error.validator_value, _("This answer is not valid.")))
    if error.validator == "type":
        expected = {
            "integer": _("Enter a whole number."),
            "number": _("Enter a number."),
            "string": _("Enter text."),
            "boolean": _("Answer yes or no."),
        }
        return expected.get(error.validator_value, _("This answer is not valid."))
    if error.validator == "pattern":
        return _("Check the format of this answer.")
    return _("This answer is not valid.")


def validate_answers(*, schema: dict, answers, partial: bool = False) -> dict[str, list[str]]:
    """Return the errors of ``answers`` against the form ``schema`` by dotted path ('children.0.name'),
    '' for the whole form.

    ``partial`` accepts unanswered required questions (a draft), never a wrong answer.
    """
    if not isinstance(answers, dict):
        return {"": [_("The answers must be an object of question names to answers.")]}
    deep = [name for name, value in answers.items() if too_deep(value)]
    if deep:  # refused before jsonschema, which would describe the bomb (repr) in its message
        return {str(name)[:40]: [_("This answer is nested too deeply.")] for name in deep}
    found: dict[str, list[tuple[str, str]]] = {}  # path → (rule, message)
    unasked = []  # (question, the question it depends on)

    def add(path, rule, message):
        found.setdefault(".".join(str(part) for part in path), []).append((rule, message))

    validator = Draft202012Validator(enforced_schema(schema, partial=partial), format_checker=FORMAT_CHECKER)
    for error in validator.iter_errors(answers):
        path = list(error.absolute_path)
        if error.validator == "required":
            # jsonschema reports each missing name as its own error, all carrying the whole required list.
            for name in error.validator_value:
                if name not in error.instance:
                    add([*path, name], "required", _("This question needs an answer."))
        elif error.validator == "additionalProperties":
            for where, message in _unknown_errors(path, set(error.instance) - set(error.schema["properties"])):
                add(where, "additionalProperties", message)
        elif error.validator == "not":  # the "else" of a condition: answered though not asked
            name = error.validator_value["required"][0]
            unasked.append((name, schema["properties"][name]["x-show-if"]["field"]))
        else:
            add(path, error.validator, _message(error))
    for path, message in date_rule_errors(schema=schema, answers=answers).items():
        found.setdefault(path, [("date", message)])  # a date with an error of its own keeps that one
    for name, depends_on in unasked:
        if depends_on not in found:  # a wrong answer it depends on says enough
            add([name], "not", _("This question does not apply to your other answers."))
    errors = {}
    for path, said in found.items():
        first = next((rule for rule in FIRST_SAID if any(r == rule for r, _m in said)), None)
        messages = [message for rule, message in said if first is None or rule == first]
        errors[path] = list(dict.fromkeys(messages))
    return errors


def normalize_answers(*, schema: dict, answers):
    """Return the answers with what people type around numbers removed (spaces, dashes, a +86), question by
    question and row by row, so that the web and the API both take "138 1234 5678"; anything else unchanged."""
    if not isinstance(answers, dict):
        return answers
    return {name: _normalized(schema["properties"].get(name), value) for name, value in answers.items()}


def _normalized(prop, value):
    kind = field_type_name(prop)
    if kind == "group" and isinstance(value, list):
        sub = prop["items"]["properties"]
        return [{n: _normalized(sub.get(n), v) for n, v in row.items()} if isinstance(row, dict) else row
                for row in value]  # fmt: skip
    normalize = FIELD_TYPES[kind].normalize if kind else None
    return normalize(value) if normalize and isinstance(value, str) else value
