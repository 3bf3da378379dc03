"""Server-side checks of form schemas (admin input) and of answers (web, API and drafts alike)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from services.dynamic_forms.fields import questions
from services.dynamic_forms.validation import validate_answers, validate_form_schema
from tests.factories import SIMPLE_SCHEMA, VALID_ANSWERS

SCHEMA = {
    "type": "object",
    "required": ["name", "children", "born"],
    "x-order": ["name", "note", "code", "children", "income", "born", "kind", "urgent"],
    "properties": {
        "name": {"type": "string", "title": "Name", "minLength": 2, "maxLength": 10},
        "note": {"type": "string", "title": "Note"},
        "code": {"type": "string", "title": "Postcode", "pattern": "^[0-9]{6}$"},
        "children": {"type": "integer", "title": "Children", "minimum": 0, "maximum": 20},
        "income": {"type": "number", "title": "Income"},
        "born": {"type": "string", "format": "date", "title": "Born"},
        "kind": {"type": "string", "enum": ["a", "b"], "title": "Kind"},
        "urgent": {"type": "boolean", "title": "Urgent?"},
    },
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- validate_form_schema ------------------------------------------------------------------


def test_accepts_a_good_schema():
    """The factories' schema (every field type) is accepted."""
    validate_form_schema(SIMPLE_SCHEMA)
    validate_form_schema(SCHEMA)


@pytest.mark.parametrize(
    "schema",
    [
        None,
        [],
        "a string",
        42,
        {},
        {"type": "array", "items": {}},
        {"type": "object"},
        {"type": "object", "properties": {}},
    ],
    ids=["none", "list", "string", "number", "empty", "array", "no-properties", "empty-properties"],
)
def test_rejects_anything_but_an_object_schema_with_questions(schema):
    """A form schema must be a JSON object of type object with at least one property."""
    with pytest.raises(ValidationError, match="JSON Schema of type object"):
        validate_form_schema(schema)


@pytest.mark.parametrize(
    "bad",
    [
        {"name": {"type": "strnig"}},  # unknown type
        {"name": {"type": "string", "maxLength": -1}},  # negative length
        {"name": {"type": "string", "enum": "ab"}},  # enum must be an array
    ],
)
def test_rejects_invalid_json_schema(bad):
    """A schema the JSON Schema meta-schema refuses is rejected with the reason."""
    with pytest.raises(ValidationError, match="Not a valid JSON Schema"):
        validate_form_schema({"type": "object", "properties": bad})


@pytest.mark.parametrize(
    "prop",
    [{"type": "array", "items": {"type": "string"}}, {"type": "object"}, {"title": "No type"}, True],
    ids=["array", "object", "no-type", "boolean-schema"],
)
def test_rejects_a_question_no_field_type_fits(prop):
    """Every question must map to a registered field type; the error names the question."""
    with pytest.raises(ValidationError, match="No field type fits these questions: odd"):
        validate_form_schema({"type": "object", "properties": {"name": {"type": "string"}, "odd": prop}})


def test_rejects_a_required_question_that_is_not_asked():
    """A required name with no property would make every submission fail, so the schema is refused."""
    with pytest.raises(ValidationError, match="required questions are not in the form: ghost"):
        validate_form_schema({"type": "object", "required": ["ghost"], "properties": {"name": {"type": "string"}}})


def test_questions_follow_x_order_then_the_rest():
    """Questions come in x-order; properties it forgets still come (last), and unknown names are ignored."""
    schema = {**SCHEMA, "x-order": ["urgent", "ghost", "name"]}

    assert [name for name, _prop in questions(schema)] == [
        "urgent",
        "name",
        "note",
        "code",
        "children",
        "income",
        "born",
        "kind",
    ]


# --- validate_answers ---------------------------------------------------------------------

GOOD = {"name": "Li Lei", "children": 2, "born": "1990-03-07"}


def test_good_answers_have_no_errors():
    """Complete, well-typed answers give no errors."""
    assert validate_answers(schema=SCHEMA, answers=GOOD) == {}
    assert validate_answers(schema=SIMPLE_SCHEMA, answers=VALID_ANSWERS) == {}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": None}, "name", "Enter text."),
        ({"name": "L"}, "name", "Use at least 2 characters."),
        ({"name": "L" * 11}, "name", "Use at most 10 characters."),
        ({"note": "x" * 2001}, "note", "Use at most 2000 characters."),  # text without maxLength is still capped
        ({"code": "20A001"}, "code", "Check the format of this answer."),
        ({"children": "two"}, "children", "Enter a whole number."),
        ({"children": 2.5}, "children", "Enter a whole number."),
        ({"children": -1}, "children", "Enter a number of at least 0."),
        ({"children": 21}, "children", "Enter a number of at most 20."),
        ({"income": "lots"}, "income", "Enter a number."),
        ({"born": "1990-02-30"}, "born", "Enter a real date, as YYYY-MM-DD."),
        ({"born": "07/03/1990"}, "born", "Enter a real date, as YYYY-MM-DD."),
        ({"kind": "c"}, "kind", "Choose one of the options."),
        ({"urgent": "yes"}, "urgent", "Answer yes or no."),
    ],
)
def test_each_error_kind_gives_a_readable_message_on_its_field(changes, field, message):
    """Every kind of wrong answer is reported on its question with a sentence a resident understands."""
    errors = validate_answers(schema=SCHEMA, answers={**GOOD, **changes})

    assert errors == {field: [message]}


def test_missing_required_answers_are_reported_on_each_question():
    """Each unanswered required question gets its own 'needs an answer' error."""
    errors = validate_answers(schema=SCHEMA, answers={"name": "Li Lei"})

    assert errors == {"children": ["This question needs an answer."], "born": ["This question needs an answer."]}


def test_unknown_questions_are_refused_each_on_its_name():
    """An answer to a question the form does not ask is an error of that name (the API's ``answers.<name>``);
    many of them, or names that are not plain, are one error of the whole form ('' key) naming some."""
    errors = validate_answers(schema=SCHEMA, answers={**GOOD, "zzz": 1, "aaa": 2})
    many = validate_answers(schema=SCHEMA, answers={**GOOD, **{f"q{n}": n for n in range(11)}})
    odd = validate_answers(schema=SCHEMA, answers={**GOOD, "a b": 1})

    assert errors == {"aaa": ["This form has no such question."], "zzz": ["This form has no such question."]}
    assert many == {"": ["Unknown questions: q0, q1, q10, q2, q3, …"]}
    assert odd == {"": ["Unknown questions: a b"]}


@pytest.mark.parametrize("answers", [None, [], "text", 3])
def test_answers_must_be_an_object(answers):
    """Anything but a JSON object of answers is one whole-form error."""
    assert list(validate_answers(schema=SCHEMA, answers=answers)) == [""]


def test_partial_mode_ignores_missing_required_answers():
    """A draft may leave required questions unanswered."""
    assert validate_answers(schema=SCHEMA, answers={}, partial=True) == {}
    assert validate_answers(schema=SCHEMA, answers={"name": "Li Lei"}, partial=True) == {}


def test_partial_mode_still_refuses_wrong_answers():
    """A draft may be incomplete, never wrong: types, limits and unknown questions are still checked."""
    errors = validate_answers(schema=SCHEMA, answers={"children": "two", "born": "soon", "zzz": 1}, partial=True)

    assert errors == {
        "children": ["Enter a whole number."],
        "born": ["Enter a real date, as YYYY-MM-DD."],
        "zzz": ["This form has no such question."],
    }


def test_validation_does_not_change_the_schema():
    """Checking answers leaves the stored schema (its required list and properties) untouched."""
    before = repr(SCHEMA)

    validate_answers(schema=SCHEMA, answers={}, partial=True)
    validate_answers(schema=SCHEMA, answers={"note": "x"})

    assert repr(SCHEMA) == before
