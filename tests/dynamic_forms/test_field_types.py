"""Every field type, steps and conditions: schema checks, answer validation (hostile input included) and the web form.

A wrong answer is always a clear message on its own question (a dotted path inside groups and addresses),
never an exception.
"""

import copy
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from services.dynamic_forms.fields import field_type_name
from services.dynamic_forms.forms import AnswersForm
from services.dynamic_forms.selectors import answers_by_step, answers_for_display
from services.dynamic_forms.structure import answers_merge, form_steps, steps_asked
from services.dynamic_forms.validation import enforced_schema, validate_answers, validate_form_schema
from tests.factories import STEPS_ANSWERS, STEPS_SCHEMA

MEGABYTE = "x" * 1_000_000


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def errors_for(changes: dict, *, partial=False, without=()) -> dict:
    answers = {**STEPS_ANSWERS, **changes}
    for name in without:
        answers.pop(name)
    return validate_answers(schema=STEPS_SCHEMA, answers=answers, partial=partial)


def test_the_steps_schema_and_answers_are_valid():
    """The shared multi-step schema passes the schema check, and its sample answers pass in full."""
    validate_form_schema(STEPS_SCHEMA)
    assert validate_answers(schema=STEPS_SCHEMA, answers=STEPS_ANSWERS) == {}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("name", "text"),
        ("id_number", "resident_id"),
        ("phone", "phone"),
        ("address", "address"),
        ("reason", "choice"),
        ("severance", "yes_no"),
        ("benefits", "multi_choice"),
        ("severance_amount", "number"),
        ("employers", "group"),
        ("proof", "document"),
    ],
)
def test_each_question_gets_its_field_type(name, kind):
    """The registry names the type of each kind of question from the schema alone."""
    assert field_type_name(STEPS_SCHEMA["properties"][name]) == kind


# --- Each type's wrong answers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # short text
        ({"name": 42}, {"name": ["Enter text."]}),
        ({"name": MEGABYTE}, {"name": ["Use at most 50 characters."]}),
        ({"name": ["Li"]}, {"name": ["Enter text."]}),
        # resident ID number: format, check character, date inside, lower-case x
        (
            {"id_number": "123"},
            {"id_number": ["Enter the 18-character resident ID number exactly as on the card; check each digit."]},
        ),
        (
            {"id_number": "110105194912310021"},
            {"id_number": ["Enter the 18-character resident ID number exactly as on the card; check each digit."]},
        ),
        (
            {"id_number": "11010519491331002X"},
            {"id_number": ["Enter the 18-character resident ID number exactly as on the card; check each digit."]},
        ),
        (
            {"id_number": "11010519491231002x"},
            {"id_number": ["Enter the 18-character resident ID number exactly as on the card; check each digit."]},
        ),
        ({"id_number": 110105194912310020}, {"id_number": ["Enter text."]}),
        # phone
        ({"phone": "23812345678"}, {"phone": ["Enter an 11-digit mainland mobile number starting with 1."]}),
        ({"phone": "1381234567"}, {"phone": ["Enter an 11-digit mainland mobile number starting with 1."]}),
        ({"phone": "+8613812345678"}, {"phone": ["Enter an 11-digit mainland mobile number starting with 1."]}),
        # address: district from the 16, a street, nothing else
        ({"address": {"district": "mars", "street": "x"}}, {"address.district": ["Choose one of the options."]}),
        ({"address": {"district": "pudong"}}, {"address.street": ["This question needs an answer."]}),
        ({"address": {"district": "pudong", "street": ""}}, {"address.street": ["Use at least 1 characters."]}),
        (
            {"address": {"district": "pudong", "street": "x", "floor": 3}},
            {"address.floor": ["This form has no such question."]},
        ),
        ({"address": "世纪大道100号"}, {"address": ["This answer is not valid."]}),
        # single choice, yes/no, multiple choice
        ({"reason": "fired"}, {"reason": ["Choose one of the options."]}),
        ({"reason": ["ended"]}, {"reason": ["Choose one of the options."]}),
        ({"severance": "yes"}, {"severance": ["Answer yes or no."]}),  # not also "the amount does not apply"
        ({"benefits": ["housing", "housing"]}, {"benefits": ["Choose each option only once."]}),
        ({"benefits": ["cars"]}, {"benefits.0": ["Choose one of the options."]}),
        ({"benefits": "housing"}, {"benefits": ["This answer is not valid."]}),
        # number
        ({"severance_amount": -1}, {"severance_amount": ["Enter a number of at least 0."]}),
        ({"severance_amount": "12000"}, {"severance_amount": ["Enter a number."]}),
        # repeating group: rows, their questions, their count
        ({"employers": []}, {"employers": ["Give at least 1."]}),
        ({"employers": [{"employer": "A", "started_on": "2020-01-01"}] * 4}, {"employers": ["Give at most 3."]}),
        ({"employers": [{"employer": "A"}]}, {"employers.0.started_on": ["This question needs an answer."]}),
        (
            {"employers": [{"employer": "A", "started_on": "2020-02-30"}]},
            {"employers.0.started_on": ["Enter a real date, as YYYY-MM-DD."]},
        ),
        (
            {"employers": [{"employer": "A", "started_on": "2020-01-01", "salary": 1}]},
            {"employers.0.salary": ["This form has no such question."]},
        ),
        ({"employers": ["A"]}, {"employers.0": ["This answer is not valid."]}),
        ({"employers": {"employer": "A"}}, {"employers": ["This answer is not valid."]}),
        # document: the type it asks for, an optional document id once uploads exist
        ({"proof": {"document_type": "bank-card"}}, {"proof.document_type": ["This answer is not valid."]}),
        (
            {"proof": {"document_type": "employment-termination", "document_id": "not-a-uuid"}},
            {"proof.document_id": ["This answer is not valid."]},
        ),
        ({"proof": {}}, {"proof.document_type": ["This question needs an answer."]}),
        ({"proof": True}, {"proof": ["This answer is not valid."]}),
    ],
)
def test_each_wrong_answer_is_a_clear_error_on_its_question(changes, expected):
    """Wrong types, values, shapes and lengths of every field type are named where they sit, in words."""
    assert errors_for(changes) == expected


@pytest.mark.parametrize(
    "value", ["2026-02-30", "2026-13-01", "tomorrow", "20260101", "2026-1-1", "2026-01-01T00:00:00", "", " 2026-01-01"]
)
def test_invalid_dates_are_refused(value):
    """Only real calendar dates written YYYY-MM-DD are dates."""
    errors = errors_for({"employers": [{"employer": "A", "started_on": value}]})

    assert errors == {"employers.0.started_on": ["Enter a real date, as YYYY-MM-DD."]}


def test_missing_required_answers_are_named_at_every_level():
    """Unanswered questions are each named: at the top, inside the address and in a group's row."""
    errors = validate_answers(
        schema=STEPS_SCHEMA,
        answers={**STEPS_ANSWERS, "address": {"street": "x"}, "employers": [{"started_on": "2020-01-01"}]},
    )
    assert errors == {
        "address.district": ["This question needs an answer."],
        "employers.0.employer": ["This question needs an answer."],
    }
    assert set(validate_answers(schema=STEPS_SCHEMA, answers={})) == set(STEPS_SCHEMA["required"]) - {
        "severance_amount"  # asked only after a yes to severance
    }


def test_a_draft_may_be_incomplete_at_every_level_but_never_wrong():
    """Partial answers skip required questions and the group's minimum, inside rows too; wrong ones still fail."""
    incomplete = {"address": {"district": "pudong"}, "employers": [{"employer": "A"}], "severance": True}
    assert validate_answers(schema=STEPS_SCHEMA, answers=incomplete, partial=True) == {}
    assert validate_answers(schema=STEPS_SCHEMA, answers={"employers": []}, partial=True) == {}

    wrong = {"address": {"district": "mars"}, "employers": [{"started_on": "soon"}]}
    assert validate_answers(schema=STEPS_SCHEMA, answers=wrong, partial=True) == {
        "address.district": ["Choose one of the options."],
        "employers.0.started_on": ["Enter a real date, as YYYY-MM-DD."],
    }


# --- Conditions ---------------------------------------------------------------------------------------


def test_a_conditional_question_is_required_only_when_its_condition_holds():
    """severance_amount is asked (and required) after a yes, and not otherwise."""
    assert errors_for({"severance": True}, without=["severance_amount"]) == {
        "severance_amount": ["This question needs an answer."]
    }
    assert errors_for({"severance": False}, without=["severance_amount"]) == {}


@pytest.mark.parametrize("partial", [False, True])
def test_a_conditional_answer_sent_when_its_condition_is_false_is_a_field_error(partial):
    """An answer to a question that is not asked is refused on that question, in a draft too."""
    assert errors_for({"severance": False}, partial=partial) == {
        "severance_amount": ["This question does not apply to your other answers."]
    }
    assert validate_answers(schema=STEPS_SCHEMA, answers={"severance_amount": 5}, partial=True) == {
        "severance_amount": ["This question does not apply to your other answers."]
    }


def test_changing_an_answer_drops_the_answers_it_no_longer_asks_for():
    """Merging a 'no' removes the stored amount that only a 'yes' asks for; an explicit new amount is kept to be
    refused; None removes an answer."""
    stored = {"severance": True, "severance_amount": 100, "name": "Li"}

    assert answers_merge(STEPS_SCHEMA, stored, {"severance": False}) == {"severance": False, "name": "Li"}
    assert answers_merge(STEPS_SCHEMA, stored, {"severance": False, "severance_amount": 5})["severance_amount"] == 5
    assert answers_merge(STEPS_SCHEMA, stored, {"name": None}) == {"severance": True, "severance_amount": 100}


def test_steps_with_no_question_asked_are_skipped():
    """The severance step exists only after a yes; without x-steps the whole form is one step."""
    keys = [step["key"] for step in steps_asked(STEPS_SCHEMA, {"severance": False})]
    assert keys == ["about", "job", "history"]
    assert [step["key"] for step in steps_asked(STEPS_SCHEMA, {"severance": True})] == [
        "about",
        "job",
        "severance",
        "history",
    ]
    plain = {"type": "object", "x-order": ["b", "a"], "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    assert [step["fields"] for step in form_steps(plain)] == [["b", "a"]]


# --- Hostile input ----------------------------------------------------------------------------------


def test_unknown_keys_are_refused_with_their_names_cut_short():
    """Unknown questions are one whole-form error; a flood of long hostile names gives a short message."""
    answers = {**STEPS_ANSWERS, **{f"<script>alert({n})</script>" + "k" * 500: n for n in range(1000)}}

    errors = validate_answers(schema=STEPS_SCHEMA, answers=answers)

    assert list(errors) == [""]
    assert len(errors[""][0]) < 300
    assert errors[""][0].startswith("Unknown questions: <script>alert(0)")


def test_deeply_nested_answers_are_refused_without_descending():
    """A depth bomb anywhere is refused on its question before any recursive check could run out of stack;
    nesting only a little too deep for its type is an ordinary wrong answer."""
    bomb = []
    for _ in range(100_000):
        bomb = [bomb]

    for changes in ({"employers": [bomb]}, {"name": bomb}, {"address": {"district": "pudong", "street": bomb}}):
        name = next(iter(changes))
        assert errors_for(changes) == {name: ["This answer is nested too deeply."]}
    assert errors_for({"employers": [[["A"]]]}) == {"employers.0": ["This answer is not valid."]}


def test_a_script_tag_is_only_text_and_is_shown_escaped():
    """Markup in an answer is stored as typed and displayed as text (the template escapes it)."""
    answers = {**STEPS_ANSWERS, "name": "<script>alert(1)</script>"}

    assert validate_answers(schema=STEPS_SCHEMA, answers=answers) == {}
    assert ("Full name", "<script>alert(1)</script>") in answers_for_display(schema=STEPS_SCHEMA, answers=answers)


@pytest.mark.parametrize("answers", [None, [], "text", 3, True])
def test_answers_that_are_not_an_object_are_one_error(answers):
    assert list(validate_answers(schema=STEPS_SCHEMA, answers=answers)) == [""]


# --- The enforced schema ------------------------------------------------------------------------------


def test_enforced_schema_is_standard_json_schema_with_the_hints_kept():
    """What the API hands the app: each type expanded to plain JSON Schema, the conditions as if/then/else,
    the presentation hints untouched, and the stored schema not modified."""
    before = copy.deepcopy(STEPS_SCHEMA)

    enforced = enforced_schema(STEPS_SCHEMA)

    assert before == STEPS_SCHEMA
    assert enforced["additionalProperties"] is False
    assert "severance_amount" not in enforced["required"]
    assert enforced["allOf"] == [
        {
            "if": {"properties": {"severance": {"const": True}}, "required": ["severance"]},
            "then": {"required": ["severance_amount"]},
            "else": {"not": {"required": ["severance_amount"]}},
        }
    ]
    address = enforced["properties"]["address"]
    assert len(address["properties"]["district"]["enum"]) == 16 and address["additionalProperties"] is False
    assert enforced["properties"]["employers"]["items"]["additionalProperties"] is False
    assert enforced["properties"]["name"]["x-title-zh"] == "姓名"
    assert enforced["x-steps"] == STEPS_SCHEMA["x-steps"]


# --- Schema checks ------------------------------------------------------------------------------------


def with_changes(**props) -> dict:
    schema = copy.deepcopy(STEPS_SCHEMA)
    schema["properties"].update(props)
    return schema


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({**STEPS_SCHEMA, "x-steps": "one"}, "x-steps is a list of steps"),
        ({**STEPS_SCHEMA, "x-steps": [{"key": "Bad Key", "fields": ["name"]}]}, "x-steps is a list of steps"),
        ({**STEPS_SCHEMA, "x-steps": STEPS_SCHEMA["x-steps"][:3]}, "every question on exactly one step"),
        ({**STEPS_SCHEMA, "x-steps": [*STEPS_SCHEMA["x-steps"], {"key": "about", "fields": ["name"]}]}, "exactly one"),
        (
            with_changes(severance_amount={"type": "number", "x-show-if": {"field": "ghost", "equals": 1}}),
            "x-show-if is",
        ),
        (with_changes(severance_amount={"type": "number", "x-show-if": {"field": "severance"}}), "x-show-if is"),
        (with_changes(severance_amount={"type": "number", "x-show-if": ["severance"]}), "x-show-if is"),
        (with_changes(severance_amount={"type": "number", "x-show-if": {"field": ["x"], "equals": 1}}), "x-show-if is"),
        (
            with_changes(severance_amount={"type": "number", "x-show-if": {"field": "severance", "equals": "yes"}}),
            "can never have",
        ),
        (
            with_changes(
                reason={**STEPS_SCHEMA["properties"]["reason"], "x-show-if": {"field": "severance", "equals": True}}
            ),
            "earlier step",
        ),
        (with_changes(name={"type": "string", "x-prefill": "salary"}), "x-prefill must name a profile fact"),
        (with_changes(name={"type": "string", "x-prefill": "date_of_birth"}), "x-prefill must name a profile fact"),
        (
            with_changes(
                employers={
                    "type": "array",
                    "items": {"type": "object", "properties": {"a": {"type": "object", "x-widget": "address"}}},
                }
            ),
            "plain questions only",
        ),
        (
            with_changes(
                employers={
                    "type": "array",
                    "items": {"type": "object", "required": ["b"], "properties": {"a": {"type": "string"}}},
                }
            ),
            "plain questions only",
        ),
        (with_changes(proof={"type": "object", "x-document-type": ""}), "No field type fits"),
        # PostgreSQL's jsonb does not keep the order of object keys: several questions need a written order
        (
            with_changes(
                employers={
                    "type": "array",
                    "items": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
                }
            ),
            "in the order they are asked in x-order",
        ),
        (
            {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}, "x-order": ["a"]},
            "the form: list the questions in the order",
        ),
    ],
)
def test_bad_steps_conditions_prefills_and_groups_are_refused(schema, message):
    """The admin cannot publish a form whose steps, conditions, prefills or groups could not work."""
    with pytest.raises(ValidationError, match=message):
        validate_form_schema(schema)


# --- The web form ----------------------------------------------------------------------------------


STEP_POST = {
    "name": " 李雷 ",
    "id_number": "11010519491231002x",
    "phone": "+86 138-1234-5678",
    "address_0": "pudong",
    "address_1": "世纪大道100号",
}


def about_form(data=None, **kwargs):
    return AnswersForm(data, schema=STEPS_SCHEMA, names=form_steps(STEPS_SCHEMA)[0]["fields"], answers={}, **kwargs)


def test_a_step_form_turns_posted_fields_into_answers():
    """Text is trimmed, the ID upper-cased, the phone reduced to its digits, the address made one object."""
    form = about_form(STEP_POST)

    assert form.is_valid(), form.errors
    assert form.changes == {
        "name": "李雷",
        "id_number": "11010519491231002X",
        "phone": "13812345678",
        "address": {"district": "pudong", "street": "世纪大道100号"},
    }


def test_a_step_form_renders_labelled_controls_for_each_type():
    """Phone is a tel input; the address a labelled district select and street input in a fieldset."""
    html = about_form().as_p()

    assert re.search(r'<input type="tel" name="phone"[^>]*autocomplete="tel"', html)
    assert '<label for="id_address_0">District</label>' in html
    assert '<label for="id_address_1">Street address</label>' in html
    assert html.count('<option value="') == 17  # the empty choice and 16 districts


def test_a_step_form_reports_wrong_answers_on_their_fields():
    """A bad ID and phone are errors on their own fields, from the schema's format checks."""
    form = about_form({**STEP_POST, "id_number": "110105194912310021", "phone": "12345"})

    assert not form.is_valid()
    assert set(form.errors) == {"id_number", "phone"}


def test_back_and_save_for_later_need_right_answers_only():
    """Without ``require``, blanks are fine (they clear the answer), wrong answers are not."""
    form = about_form({"name": ""}, require=False)
    assert form.is_valid(), form.errors
    assert form.changes == {"name": None, "id_number": None, "phone": None, "address": None}

    assert not about_form({"phone": "1"}, require=False).is_valid()


PROOF_ID = "3f1c2b9e-5d6a-4c7b-8e9f-0a1b2c3d4e5f"  # a wallet document the page offers for the proof


def history_form(data=None, answers=None):
    return AnswersForm(
        data,
        schema=STEPS_SCHEMA,
        names=["employers", "proof"],
        answers=answers if answers is not None else {},
        documents={"employment-termination": [(PROOF_ID, "proof.pdf")]},
    )


def test_a_group_starts_with_its_rows_or_one_empty_row():
    """Stored rows fill the group's rows; a new group shows one empty row."""
    assert [len(item["rows"]) for item in history_form().layout if "group" in item] == [1]
    stored = {"employers": [{"employer": "A", "started_on": "2020-01-01"}, {"employer": "B"}]}
    form = history_form(answers=stored)
    assert 'value="B"' in str(form["employers-1-employer"])
    assert [len(item["rows"]) for item in form.layout if "group" in item] == [2]


def test_group_rows_are_added_and_removed_without_javascript():
    """'Add another' adds an empty row and 'Remove' takes one out, keeping what is typed in the others."""
    posted = {"employers-rows": "2", "employers-0-employer": "A", "employers-1-employer": "B"}

    added = history_form({**posted, "group-action": "add:employers"})
    assert added.group_action
    assert [len(item["rows"]) for item in added.layout if "group" in item] == [3]

    removed = history_form({**posted, "group-action": "remove:employers:0"})
    assert [len(item["rows"]) for item in removed.layout if "group" in item] == [1]
    assert 'value="B"' in str(removed["employers-0-employer"])


def test_group_rows_become_answers_and_their_errors_land_on_the_right_row():
    """Blank rows are left out; an error in the second filled row names that row's field."""
    posted = {
        "employers-rows": "3",
        "employers-0-employer": "A",
        "employers-0-started_on": "2020-01-01",
        "employers-1-employer": "",
        "employers-2-employer": "C",
        "proof": PROOF_ID,
    }
    form = history_form(posted)

    assert not form.is_valid()
    assert form.errors == {"employers-2-started_on": ["This question needs an answer."]}
    assert form.fields["employers-2-started_on"].summary_label == "Employer 3: Started"

    posted["employers-2-started_on"] = "2021-05-01"
    form = history_form(posted)
    assert form.is_valid(), form.errors
    assert form.changes == {
        "employers": [{"employer": "A", "started_on": "2020-01-01"}, {"employer": "C", "started_on": "2021-05-01"}],
        "proof": {"document_type": "employment-termination", "document_id": PROOF_ID},
    }


def test_a_required_group_with_no_row_filled_is_an_error():
    form = history_form({"employers-rows": "1", "proof": PROOF_ID})

    assert not form.is_valid()
    assert form.non_field_errors() == ["Employers: This question needs an answer."]


def test_a_conditional_question_is_on_the_form_only_when_asked():
    """The severance step asks its amount only after a yes stored from the previous step."""
    names = ["severance_amount"]
    assert "severance_amount" in AnswersForm(schema=STEPS_SCHEMA, names=names, answers={"severance": True}).fields
    assert "severance_amount" not in AnswersForm(schema=STEPS_SCHEMA, names=names, answers={"severance": False}).fields
    assert "severance_amount" in AnswersForm(schema=STEPS_SCHEMA, names=names, answers=None).fields  # a preview


def test_answers_by_step_for_the_check_page():
    """The check page lists each step asked with its questions, unanswered ones blank, groups one line per row."""
    with translation.override("zh-hans"):
        sections = answers_by_step(schema=STEPS_SCHEMA, answers={**STEPS_ANSWERS, "benefits": ["meals"]})

    assert [section["title"] for section in sections] == ["申请人信息", "原工作情况", "经济补偿", "工作经历"]
    rows = dict(row for section in sections for row in section["rows"])
    assert rows["地址"] == "浦东新区 世纪大道100号"
    assert rows["原有福利"] == "餐补"
    assert rows["工作单位"] == "1. 上海某公司, 2020-01-06"
    assert rows["是否支付补偿金？"] == "是"
    assert rows["证明"] == "待提交"
