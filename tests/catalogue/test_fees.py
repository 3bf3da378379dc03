"""Fee rules as data: validation, the amount for given answers, the waiver, and the rule in words."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from services.catalogue.eligibility import Facts
from services.catalogue.fees import fee_quote, fee_rule_text, validate_fee_rule, yuan
from tests.factories import SIMPLE_SCHEMA, ServiceFactory

PROPERTIES = SIMPLE_SCHEMA["properties"]
PER_CHILD = {"amount_fen": 2000, "per": "children"}
WAIVED_IF_URGENT = {"amount_fen": 30000, "waived_if": [{"kind": "answer", "field": "urgent", "equals": True}]}


def facts(**answers) -> Facts:
    return Facts(date_of_birth=None, district="", answers=answers, properties=PROPERTIES, today=dt.date(2026, 12, 1))


def test_yuan_writes_fen_as_yuan():
    assert yuan(0) == "¥0.00"
    assert yuan(5) == "¥0.05"
    assert yuan(123456) == "¥1,234.56"


def test_no_rule_is_free():
    quote = fee_quote(rule={}, facts=facts())

    assert (quote.amount_fen, quote.full_fen, quote.is_due) == (0, 0, False)


def test_a_fixed_fee_is_its_amount():
    quote = fee_quote(rule={"amount_fen": 1500}, facts=facts(children=4))

    assert (quote.amount_fen, quote.units, quote.is_due) == (1500, None, True)


def test_a_fee_per_answer_multiplies_the_price():
    """Per copy, per child: the answer is the number of units; unanswered counts none yet."""
    assert fee_quote(rule=PER_CHILD, facts=facts(children=3)).amount_fen == 6000
    assert fee_quote(rule=PER_CHILD, facts=facts(children=3)).units == 3
    assert fee_quote(rule=PER_CHILD, facts=facts()).amount_fen == 0
    assert fee_quote(rule=PER_CHILD, facts=facts(children=True)).amount_fen == 0  # a yes is not a number


def test_a_fee_is_waived_when_every_waiver_rule_holds():
    with translation.override("en"):
        waived = fee_quote(rule=WAIVED_IF_URGENT, facts=facts(urgent=True))
    charged = fee_quote(rule=WAIVED_IF_URGENT, facts=facts(urgent=False))
    unanswered = fee_quote(rule=WAIVED_IF_URGENT, facts=facts())

    assert (waived.amount_fen, waived.full_fen, waived.waived) == (0, 30000, True)
    assert waived.reasons and "Urgent?" in waived.reasons[0]
    assert (charged.amount_fen, charged.waived) == (30000, False)
    assert unanswered.amount_fen == 30000  # can't tell yet is not a waiver


@pytest.mark.parametrize(
    "rule",
    [
        [],
        {"amount_fen": 0},
        {"amount_fen": -5},
        {"amount_fen": 12.5},
        {"amount_fen": True},
        {"amount_fen": "2000"},
        {"amount_fen": 10_000_001},
        {"amount_fen": 100, "currency": "USD"},
        {"amount_fen": 100, "per": ""},
        {"amount_fen": 100, "waived_if": [{"kind": "astrology"}]},
        {"amount_fen": 100, "waived_if": {"kind": "age", "min": 1}},
    ],
)
def test_a_bad_fee_rule_is_refused(rule):
    with pytest.raises(ValidationError):
        validate_fee_rule(rule)


@pytest.mark.parametrize("rule", [{}, {"amount_fen": 1}, PER_CHILD, WAIVED_IF_URGENT])
def test_a_good_fee_rule_is_accepted(rule):
    validate_fee_rule(rule)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "rule",
    [
        {"amount_fen": 100, "per": "copies"},  # not a question of the form
        {"amount_fen": 100, "per": "full_name"},  # not a whole number
        {"amount_fen": 100, "waived_if": [{"kind": "answer", "field": "low_income", "equals": True}]},
    ],
)
def test_a_service_refuses_a_fee_rule_on_questions_it_does_not_ask(rule):
    service = ServiceFactory.build(fee_rule=rule)

    with pytest.raises(ValidationError) as error:
        service.clean()

    assert "fee_rule" in error.value.message_dict


def test_the_rule_in_words_in_both_languages():
    with translation.override("en"):
        assert fee_rule_text(rule={}, properties=PROPERTIES) == "Free"
        assert fee_rule_text(rule=PER_CHILD, properties=PROPERTIES) == "¥20.00 for each of “Children”"
        assert fee_rule_text(rule=WAIVED_IF_URGENT, properties=PROPERTIES) == "¥300.00; no fee if “Urgent?” is Yes"
    with translation.override("zh-hans"):
        assert fee_rule_text(rule={}, properties=PROPERTIES) == "免费"
        assert "子女数" in fee_rule_text(rule=PER_CHILD, properties=PROPERTIES)
