"""Eligibility rules as data: each rule kind decides eligible / not eligible / can't tell yet, with its reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from services.accounts.models import ResidentProfile
from services.catalogue.eligibility import Outcome, validate_eligibility_rules
from services.catalogue.models import Service
from services.catalogue.selectors import eligibility_check

TODAY = dt.date(2026, 11, 29)
SCHEMA = {
    "type": "object",
    "properties": {
        "insured": {"type": "boolean", "title": "Are you insured?", "x-title-zh": "是否参保？"},
        "reason": {
            "type": "string",
            "enum": ["ended", "resigned", "dismissed"],
            "title": "Why did the job end?",
            "x-enum-labels": {
                "ended": {"en": "Contract ended", "zh": "合同到期"},
                "resigned": {"en": "I resigned", "zh": "本人辞职"},
                "dismissed": {"en": "Dismissed", "zh": "被解除"},
            },
        },
        "months": {"type": "integer", "title": "Months paid"},
        "child_birth_date": {"type": "string", "format": "date", "title": "Child's date of birth"},
    },
}


@pytest.fixture(autouse=True)
def _english_today(monkeypatch):
    monkeypatch.setattr("services.catalogue.selectors.timezone.localdate", lambda: TODAY)
    with translation.override("en"):
        yield


def check(rules, *, born=None, district="", answers=None):
    service = Service(eligibility_rules=rules, form_schema=SCHEMA)
    profile = ResidentProfile(date_of_birth=born, district=district)
    return eligibility_check(service=service, profile=profile, answers=answers or {})


AGE = {"kind": "age", "min": 16, "max": 60}
DISTRICTS = {"kind": "district", "in": ["pudong", "minhang"]}
INSURED = {"kind": "answer", "field": "insured", "equals": True}
INVOLUNTARY = {"kind": "answer", "field": "reason", "in": ["ended", "dismissed"]}
MONTHS = {"kind": "answer_at_least", "field": "months", "min": 12}
CHILD = {"kind": "child_age", "field": "child_birth_date", "min_months": 36, "max_months": 72}
BABY = {"kind": "child_age", "field": "child_birth_date", "max_months": 6}
SENIOR = {"kind": "age", "min": 65}


@pytest.mark.parametrize(
    ("rule", "facts", "outcome", "reason"),
    [
        # age from the profile's date of birth: min included, max not
        (
            AGE,
            {"born": dt.date(1990, 3, 7)},
            Outcome.ELIGIBLE,
            "You are 36 years; the service is for people aged from 16 years to under 60 years.",
        ),
        (
            AGE,
            {"born": dt.date(2010, 11, 29)},
            Outcome.ELIGIBLE,
            "You are 16 years; the service is for people aged from 16 years to under 60 years.",
        ),
        (
            AGE,
            {"born": dt.date(2010, 11, 30)},
            Outcome.NOT_ELIGIBLE,
            "You are 15 years; the service is for people aged from 16 years to under 60 years.",
        ),
        (
            AGE,
            {"born": dt.date(1966, 11, 29)},
            Outcome.NOT_ELIGIBLE,
            "You are 60 years; the service is for people aged from 16 years to under 60 years.",
        ),
        (
            AGE,
            {},
            Outcome.UNKNOWN,
            "The service is for people aged from 16 years to under 60 years; give your date of birth to check.",
        ),
        (
            SENIOR,
            {"born": dt.date(1950, 1, 1)},
            Outcome.ELIGIBLE,
            "You are 76 years; the service is for people aged 65 years or older.",
        ),
        # district from the profile
        (
            DISTRICTS,
            {"district": "pudong"},
            Outcome.ELIGIBLE,
            "You live in Pudong New Area; the service covers Pudong New Area, Minhang.",
        ),
        (
            DISTRICTS,
            {"district": "xuhui"},
            Outcome.NOT_ELIGIBLE,
            "You live in Xuhui; the service covers Pudong New Area, Minhang.",
        ),
        (
            DISTRICTS,
            {},
            Outcome.UNKNOWN,
            "The service covers Pudong New Area, Minhang; tell us your district to check.",
        ),
        # an answer equal to a value, or one of several
        (
            INSURED,
            {"answers": {"insured": True}},
            Outcome.ELIGIBLE,
            "You answered “Are you insured?”: Yes; the service needs: Yes.",
        ),
        (
            INSURED,
            {"answers": {"insured": False}},
            Outcome.NOT_ELIGIBLE,
            "You answered “Are you insured?”: No; the service needs: Yes.",
        ),
        (INSURED, {}, Outcome.UNKNOWN, "Answer “Are you insured?” to check; the service needs: Yes."),
        (
            INVOLUNTARY,
            {"answers": {"reason": "dismissed"}},
            Outcome.ELIGIBLE,
            "You answered “Why did the job end?”: Dismissed; the service needs: Contract ended / Dismissed.",
        ),
        (
            INVOLUNTARY,
            {"answers": {"reason": "resigned"}},
            Outcome.NOT_ELIGIBLE,
            "You answered “Why did the job end?”: I resigned; the service needs: Contract ended / Dismissed.",
        ),
        # a number answer at least a minimum
        (
            MONTHS,
            {"answers": {"months": 12}},
            Outcome.ELIGIBLE,
            "You answered “Months paid”: 12; the service needs at least 12.",
        ),
        (
            MONTHS,
            {"answers": {"months": 11}},
            Outcome.NOT_ELIGIBLE,
            "You answered “Months paid”: 11; the service needs at least 12.",
        ),
        (MONTHS, {}, Outcome.UNKNOWN, "Answer “Months paid” to check; the service needs at least 12."),
        # a child's age in months from a date answer
        (
            CHILD,
            {"answers": {"child_birth_date": "2022-05-01"}},
            Outcome.ELIGIBLE,
            "The child is 4 years 6 months old; the service is for children aged from 3 years to under 6 years.",
        ),
        (
            CHILD,
            {"answers": {"child_birth_date": "2023-11-30"}},
            Outcome.NOT_ELIGIBLE,
            "The child is 2 years 11 months old; the service is for children aged from 3 years to under 6 years.",
        ),
        (
            CHILD,
            {"answers": {"child_birth_date": "2020-11-29"}},
            Outcome.NOT_ELIGIBLE,
            "The child is 6 years old; the service is for children aged from 3 years to under 6 years.",
        ),
        (
            BABY,
            {"answers": {"child_birth_date": "2026-08-01"}},
            Outcome.ELIGIBLE,
            "The child is 3 months old; the service is for children aged under 6 months.",
        ),
        (
            CHILD,
            {"answers": {"child_birth_date": "2027-01-01"}},
            Outcome.NOT_ELIGIBLE,
            "The child's date of birth is in the future.",
        ),
        (
            CHILD,
            {},
            Outcome.UNKNOWN,
            "The service is for children aged from 3 years to under 6 years; give the child's date of birth.",
        ),
    ],
)
def test_each_rule_kind_decides_with_its_reason(rule, facts, outcome, reason):
    """Table: each kind of rule, with the facts given or missing, gives its outcome and the reason in words."""
    result = check([rule], **facts)

    assert [(r.kind, r.outcome, r.reason) for r in result.rules] == [(rule["kind"], outcome, reason)]
    assert result.outcome == outcome


def test_reasons_speak_chinese_too():
    """The same reasons in the active language, with the question's and answer's Chinese labels."""
    with translation.override("zh-hans"):
        result = check([INSURED, DISTRICTS], district="pudong", answers={"insured": False})

    assert [r.reason for r in result.rules] == [
        "您对“是否参保？”的回答：否；本服务要求：是。",
        "您居住在浦东新区；本服务覆盖浦东新区、闵行区。",
    ]


@pytest.mark.parametrize(
    ("facts", "outcome"),
    [
        ({"born": dt.date(1990, 1, 1), "district": "pudong", "answers": {"insured": True}}, Outcome.ELIGIBLE),
        ({"born": dt.date(1990, 1, 1), "answers": {"insured": True}}, Outcome.UNKNOWN),
        ({"born": dt.date(1990, 1, 1), "answers": {"insured": False}}, Outcome.NOT_ELIGIBLE),
        ({"answers": {"insured": False}}, Outcome.NOT_ELIGIBLE),  # one failing rule decides, unknowns or not
    ],
)
def test_overall_outcome(facts, outcome):
    """Any rule failing: not eligible; else any rule undecided: can't tell yet; else eligible."""
    assert check([AGE, DISTRICTS, INSURED], **facts).outcome == outcome


def test_no_rules_means_anyone_and_no_profile_means_cant_tell():
    service = Service(eligibility_rules=[], form_schema=SCHEMA)
    assert eligibility_check(service=service, profile=None, answers={}).outcome == Outcome.ELIGIBLE
    service.eligibility_rules = [AGE]
    assert eligibility_check(service=service, profile=None, answers={}).outcome == Outcome.UNKNOWN


@pytest.mark.parametrize(
    "rules",
    [
        {"kind": "age"},
        [{"kind": "age"}],
        [{"kind": "age", "min": 60, "max": 16}],
        [{"kind": "age", "min": -1}],
        [{"kind": "age", "min": True}],
        [{"kind": "district", "in": ["mars"]}],
        [{"kind": "district", "in": []}],
        [{"kind": "answer", "field": "insured"}],
        [{"kind": "answer_at_least", "field": "months", "min": "12"}],
        [{"kind": "child_age", "field": "child_birth_date"}],
        [{"kind": "horoscope"}],
        [{"kind": ["age"]}],
        ["age"],
    ],
)
def test_malformed_rules_are_refused(rules):
    """The admin cannot save a rule of an unknown kind or with wrong parameters."""
    with pytest.raises(ValidationError):
        validate_eligibility_rules(rules)


@pytest.mark.django_db
def test_a_rule_on_a_question_the_form_does_not_ask_is_refused(health):
    """Rules about answers must name a question of the service's form."""
    service = Service(
        department=health,
        slug="x",
        title_zh="x",
        title_en="x",
        form_schema=SCHEMA,
        eligibility_rules=[{"kind": "answer", "field": "ghost", "equals": True}],
    )

    with pytest.raises(ValidationError, match="ghost"):
        service.full_clean()
