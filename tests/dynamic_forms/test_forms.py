"""AnswersForm: the web form generated from a service's schema, and its conversion to JSON answers."""

import re

import pytest
from django.utils import translation

from services.dynamic_forms.forms import AnswersForm
from services.dynamic_forms.selectors import answers_for_display

SCHEMA = {
    "type": "object",
    "required": ["name", "urgent"],
    "properties": {
        "name": {"type": "string", "title": "Name", "x-title-zh": "姓名", "maxLength": 20},
        "story": {
            "type": "string",
            "x-widget": "textarea",
            "title": "Story",
            "description": "Tell us why.",
            "x-description-zh": "请说明原因。",
        },
        "children": {"type": "integer", "title": "Children", "minimum": 0, "maximum": 20},
        "income": {"type": "number", "title": "Income", "minimum": 0},
        "born": {"type": "string", "format": "date", "title": "Born", "x-title-zh": "出生日期"},
        "kind": {
            "type": "string",
            "enum": ["a", "b"],
            "title": "Kind",
            "x-enum-labels": {"a": {"en": "Kind A", "zh": "甲类"}, "b": {"en": "Kind B", "zh": "乙类"}},
        },
        "size": {"type": "integer", "enum": [1, 2, 3], "title": "Household size"},
        "urgent": {"type": "boolean", "title": "Urgent?", "x-title-zh": "是否紧急"},
    },
}
FULL = {
    "name": " Li Lei ",
    "story": "We moved.",
    "children": "2",
    "income": "8500.50",
    "born": "1990-03-07",
    "kind": "b",
    "size": "3",
    "urgent": "false",
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def render(form, name) -> str:
    return str(form[name])


def test_each_field_type_renders_its_control():
    """Text, textarea, integer, number, date, choice and yes/no each render the fitting HTML control."""
    form = AnswersForm(schema=SCHEMA)

    assert re.search(r'<input type="text" name="name" maxlength="20" required', render(form, "name"))
    assert re.search(r'<textarea name="story" cols="40" rows="5" maxlength="2000"', render(form, "story"))
    assert re.search(r'<input type="number" name="children" min="0" max="20"', render(form, "children"))
    assert re.search(r'<input type="number" name="income" min="0" step="any"', render(form, "income"))
    assert re.search(r'<input type="date" name="born"', render(form, "born"))
    kind = render(form, "kind")
    assert kind.count('type="radio"') == 2 and "Kind A" in kind and "Kind B" in kind
    assert re.findall(r'value="(\d)"', render(form, "size")) == ["1", "2", "3"]
    urgent = render(form, "urgent")
    assert re.findall(r'value="(\w+)"', urgent) == ["true", "false"]
    assert "Yes" in urgent and "No" in urgent


def test_labels_help_and_required_follow_the_schema():
    """Labels come from title (or x-title-zh in Chinese), help from description, required from the schema."""
    form = AnswersForm(schema=SCHEMA)
    assert [form[name].label for name in ("name", "born", "urgent")] == ["Name", "Born", "Urgent?"]
    assert form["story"].help_text == "Tell us why."
    assert {name for name, field in form.fields.items() if field.required} == {"name", "urgent"}

    with translation.override("zh-hans"):
        form = AnswersForm(schema=SCHEMA)
        assert [form[name].label for name in ("name", "born", "urgent", "kind")] == [
            "姓名",
            "出生日期",
            "是否紧急",
            "Kind",
        ]
        assert form["story"].help_text == "请说明原因。"
        assert "甲类" in render(form, "kind")


def test_valid_data_becomes_json_answers():
    """Each type converts to its JSON value: stripped text, int, float, ISO date, the enum's own value, bool."""
    form = AnswersForm(FULL, schema=SCHEMA)

    assert form.is_valid(), form.errors
    assert form.answers == {
        "name": "Li Lei",
        "story": "We moved.",
        "children": 2,
        "income": 8500.5,
        "born": "1990-03-07",
        "kind": "b",
        "size": 3,
        "urgent": False,
    }


def test_unanswered_optional_questions_are_left_out():
    """Blank optional questions are absent from the answers, not stored as empty strings or nulls."""
    form = AnswersForm({"name": "Li Lei", "urgent": "true"}, schema=SCHEMA)

    assert form.is_valid(), form.errors
    assert form.answers == {"name": "Li Lei", "urgent": True}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 21}, "name"),
        ({"children": "lots"}, "children"),
        ({"children": "21"}, "children"),
        ({"income": "-1"}, "income"),
        ({"income": "1e400"}, "income"),  # not a finite number, which JSON cannot store
        ({"born": "1990-02-30"}, "born"),
        ({"kind": "c"}, "kind"),
        ({"size": "4"}, "size"),
        ({"urgent": "maybe"}, "urgent"),
    ],
)
def test_invalid_data_gives_one_error_on_its_field(changes, field):
    """A wrong answer is one error on its own field; the form's check and the schema's check do not both speak."""
    form = AnswersForm({**FULL, **changes}, schema=SCHEMA)

    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert len(form.errors[field]) == 1


def test_schema_only_rules_are_reported_on_the_field():
    """A rule the Django field does not know (a pattern) is still checked, through the schema, on its field."""
    schema = {"type": "object", "properties": {"code": {"type": "string", "title": "Postcode", "pattern": "^\\d{6}$"}}}

    form = AnswersForm({"code": "20A001"}, schema=schema)

    assert not form.is_valid()
    assert form.errors == {"code": ["Check the format of this answer."]}


def test_stored_answers_fill_the_form():
    """Stored answers are the values the form shows checked/filled (yes/no as its radio value)."""
    form = AnswersForm(schema=SCHEMA, answers={"name": "Li Lei", "urgent": False, "size": 3})

    assert 'value="Li Lei"' in render(form, "name")
    assert re.search(r'value="false"[^>]* checked', render(form, "urgent"))
    assert re.search(r'value="3"[^>]* checked', render(form, "size"))


def test_answers_for_display_uses_labels_and_choice_names():
    """Stored answers are shown as (question label, readable answer) in form order."""
    answers = {"name": "Li Lei", "income": 8500.0, "kind": "b", "size": 3, "urgent": True, "born": "1990-03-07"}

    rows = answers_for_display(schema=SCHEMA, answers=answers)

    assert rows == [
        ("Name", "Li Lei"),
        ("Income", "8500"),
        ("Born", "1990-03-07"),
        ("Kind", "Kind B"),
        ("Household size", "3"),
        ("Urgent?", "Yes"),
    ]
