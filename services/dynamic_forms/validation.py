"""Server-side validation of form schemas and of residents' answers, with the ``jsonschema`` library."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from .fields import DEFAULT_MAX_LENGTH, field_type_name, questions


def validate_form_schema(schema) -> None:
    """Raise ValidationError unless ``schema`` is a JSON Schema object whose every question has a field type."""
    if not isinstance(schema, dict) or schema.get("type") != "object" or not schema.get("properties"):
        raise ValidationError(_("A form schema is a JSON Schema of type object with properties."))
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        raise ValidationError(_("Not a valid JSON Schema: %(error)s") % {"error": exc.message}) from exc
    unknown = [name for name, prop in schema["properties"].items() if field_type_name(prop) is None]
    if unknown:
        raise ValidationError(_("No field type fits these questions: %(names)s") % {"names": ", ".join(unknown)})
    # A required question that is not asked could never be answered, so no application could be submitted.
    missing = [name for name in schema.get("required", []) if name not in schema["properties"]]
    if missing:
        raise ValidationError(
            _("These required questions are not in the form: %(names)s") % {"names": ", ".join(missing)}
        )


def _strict(schema: dict, partial: bool) -> dict:
    """Return the schema as enforced: no unknown answers, a length cap on every text answer,
    and for a partial (draft) answer set no required questions."""
    props = {}
    for name, prop in questions(schema):
        if prop.get("type") == "string" and "maxLength" not in prop:
            prop = {**prop, "maxLength": DEFAULT_MAX_LENGTH}
        props[name] = prop
    strict = {**schema, "properties": props, "additionalProperties": False}
    if partial:
        strict.pop("required", None)
    return strict


def _message(error) -> str:
    limits = {
        "maxLength": _("Use at most %(limit)s characters."),
        "minLength": _("Use at least %(limit)s characters."),
        "minimum": _("Enter a number of at least %(limit)s."),
        "maximum": _("Enter a number of at most %(limit)s."),
    }
    if error.validator in limits:
        return limits[error.validator] % {"limit": error.validator_value}
    if error.validator == "enum":
        return _("Choose one of the options.")
    if error.validator == "format":
        return _("Enter a real date, as YYYY-MM-DD.")
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
    """Return the errors of ``answers`` against the form ``schema`` by question name ('' for the whole form).

    ``partial`` accepts unanswered required questions (a draft), never a wrong answer.
    """
    if not isinstance(answers, dict):
        return {"": [_("The answers must be an object of question names to answers.")]}
    errors: dict[str, list[str]] = {}
    validator = Draft202012Validator(_strict(schema, partial), format_checker=FormatChecker())
    for error in validator.iter_errors(answers):
        if error.validator == "required":
            # jsonschema reports each missing name as its own error, all carrying the whole required list.
            for name in error.validator_value:
                if name not in error.instance and name not in errors:
                    errors[name] = [_("This question needs an answer.")]
        elif error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema["properties"]))
            errors.setdefault("", []).append(_("Unknown questions: %(names)s") % {"names": ", ".join(extra)})
        else:
            field = str(error.absolute_path[0]) if error.absolute_path else ""
            errors.setdefault(field, []).append(_message(error))
    return errors
