"""Eligibility rules as data: the registry of rule kinds, each checked against a resident's facts with its reason.

A service's ``eligibility_rules`` is a list such as::

    [{"kind": "age", "min": 16, "max": 60},
     {"kind": "district", "in": ["pudong", "minhang"]},
     {"kind": "answer", "field": "insured_12_months", "equals": true},
     {"kind": "answer_at_least", "field": "contribution_months", "min": 12},
     {"kind": "child_age", "field": "child_birth_date", "min_months": 36, "max_months": 72},
     {"kind": "credential", "type": "employment-registration"}]

Ages count whole years (months for a child) today in Shanghai; ``min`` is included and ``max`` is not
("from 16 to under 60"). One function, ``services.catalogue.selectors.eligibility_check``, evaluates them
for the service page, the API and the submission.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from services.accounts.models import District
from services.common.i18n import is_chinese
from services.dynamic_forms.fields import display_answer, label_of


class Outcome(models.TextChoices):
    ELIGIBLE = "eligible", gettext_lazy("Eligible")
    NOT_ELIGIBLE = "not_eligible", gettext_lazy("Not eligible")
    UNKNOWN = "unknown", gettext_lazy("Can't tell yet")


@dataclass(frozen=True)
class Facts:
    """What a rule may look at: the resident's date of birth and district, the answers, the form's questions."""

    date_of_birth: dt.date | None
    district: str
    answers: dict
    properties: dict  # the form's questions, to name them in a reason
    today: dt.date
    credentials: frozenset[str] | None = None  # codes of the credential types held valid now; None: not known
    credential_names: dict = field(default_factory=dict)  # every credential type's name, by code


@dataclass(frozen=True)
class RuleResult:
    kind: str
    outcome: Outcome
    reason: str


@dataclass(frozen=True)
class EligibilityResult:
    outcome: Outcome
    rules: list[RuleResult] = field(default_factory=list)

    @property
    def failed(self) -> list[RuleResult]:
        return [rule for rule in self.rules if rule.outcome == Outcome.NOT_ELIGIBLE]


@dataclass(frozen=True)
class RuleKind:
    """One kind of rule: which parameters it takes, which facts it needs, and how it decides with a reason."""

    valid: Callable[[dict], bool]
    evaluate: Callable[[dict, Facts], tuple[Outcome, str]]
    needs_profile: tuple[str, ...] = ()  # profile facts the anonymous check asks for
    needs_answer: bool = False  # the rule's "field" is a question of the form


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _range_valid(rule: dict, low: str, high: str) -> bool:
    given = [rule[key] for key in (low, high) if key in rule]
    return bool(given) and all(map(_int, given)) and (len(given) < 2 or rule[low] < rule[high])


def _years(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _months(born: dt.date, today: dt.date) -> int:
    return (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)


def _in_range(value: int, rule: dict, low: str, high: str) -> Outcome:
    ok = rule.get(low, 0) <= value and (high not in rule or value < rule[high])
    return Outcome.ELIGIBLE if ok else Outcome.NOT_ELIGIBLE


def _range_text(rule: dict, low: str, high: str, unit: Callable[[int], str]) -> str:
    if low in rule and high in rule:
        return _("from %(min)s to under %(max)s") % {"min": unit(rule[low]), "max": unit(rule[high])}
    if low in rule:
        return _("%(min)s or older") % {"min": unit(rule[low])}
    return _("under %(max)s") % {"max": unit(rule[high])}


def _years_text(years: int) -> str:
    return _("%(n)s years") % {"n": years}


def _months_text(months: int) -> str:
    if months and months % 12 == 0:
        return _years_text(months // 12)
    if months < 12:
        return _("%(n)s months") % {"n": months}
    return _("%(years)s years %(months)s months") % {"years": months // 12, "months": months % 12}


def _age(rule: dict, facts: Facts) -> tuple[Outcome, str]:
    ages = _range_text(rule, "min", "max", _years_text)
    if facts.date_of_birth is None:
        return Outcome.UNKNOWN, _("The service is for people aged %(ages)s; give your date of birth to check.") % {
            "ages": ages
        }
    age = _years(facts.date_of_birth, facts.today)
    return _in_range(age, rule, "min", "max"), _("You are %(age)s; the service is for people aged %(ages)s.") % {
        "age": _years_text(age),
        "ages": ages,
    }


def _district_names(codes: list[str]) -> str:
    if set(codes) >= set(District.values):
        return _("any of Shanghai's 16 districts")
    separator = "、" if is_chinese() else ", "
    return separator.join(str(District(code).label) for code in codes)


def _district(rule: dict, facts: Facts) -> tuple[Outcome, str]:
    covered = _district_names(rule["in"])
    if not facts.district:
        return Outcome.UNKNOWN, _("The service covers %(districts)s; tell us your district to check.") % {
            "districts": covered
        }
    outcome = Outcome.ELIGIBLE if facts.district in rule["in"] else Outcome.NOT_ELIGIBLE
    return outcome, _("You live in %(district)s; the service covers %(districts)s.") % {
        "district": District(facts.district).label,
        "districts": covered,
    }


def _question(rule: dict, facts: Facts) -> tuple[dict, str]:
    prop = facts.properties.get(rule["field"], {})
    return prop, label_of(rule["field"], prop)


def _shown(prop: dict, value: Any) -> str:
    try:
        return display_answer(prop, value)
    except (KeyError, TypeError, ValueError):  # a question the form no longer asks this way
        return str(value)


def _answer(rule: dict, facts: Facts) -> tuple[Outcome, str]:
    prop, question = _question(rule, facts)
    accepted = [rule["equals"]] if "equals" in rule else rule["in"]
    expected = " / ".join(_shown(prop, value) for value in accepted)
    if rule["field"] not in facts.answers:
        return Outcome.UNKNOWN, _("Answer “%(question)s” to check; the service needs: %(expected)s.") % {
            "question": question,
            "expected": expected,
        }
    answer = facts.answers[rule["field"]]
    outcome = Outcome.ELIGIBLE if answer in accepted else Outcome.NOT_ELIGIBLE
    return outcome, _("You answered “%(question)s”: %(answer)s; the service needs: %(expected)s.") % {
        "question": question,
        "answer": _shown(prop, answer),
        "expected": expected,
    }


def _answer_at_least(rule: dict, facts: Facts) -> tuple[Outcome, str]:
    prop, question = _question(rule, facts)
    answer = facts.answers.get(rule["field"])
    if not isinstance(answer, (int, float)) or isinstance(answer, bool):
        return Outcome.UNKNOWN, _("Answer “%(question)s” to check; the service needs at least %(min)s.") % {
            "question": question,
            "min": rule["min"],
        }
    outcome = Outcome.ELIGIBLE if answer >= rule["min"] else Outcome.NOT_ELIGIBLE
    return outcome, _("You answered “%(question)s”: %(answer)s; the service needs at least %(min)s.") % {
        "question": question,
        "answer": _shown(prop, answer),
        "min": rule["min"],
    }


def _child_age(rule: dict, facts: Facts) -> tuple[Outcome, str]:
    ages = _range_text(rule, "min_months", "max_months", _months_text)
    try:
        born = dt.date.fromisoformat(facts.answers.get(rule["field"]) or "")
    except (TypeError, ValueError):
        born = None
    if born is None:
        return Outcome.UNKNOWN, _("The service is for children aged %(ages)s; give the child's date of birth.") % {
            "ages": ages
        }
    months = _months(born, facts.today)
    if months < 0:
        return Outcome.NOT_ELIGIBLE, _("The child's date of birth is in the future.")
    return _in_range(months, rule, "min_months", "max_months"), _(
        "The child is %(age)s old; the service is for children aged %(ages)s."
    ) % {"age": _months_text(months), "ages": ages}


def _credential(rule: dict, facts: Facts) -> tuple[Outcome, str]:
    name = facts.credential_names.get(rule["type"], rule["type"])
    if facts.credentials is None:
        return Outcome.UNKNOWN, _("The service is for holders of a valid “%(name)s”; sign in to check.") % {
            "name": name
        }
    if rule["type"] in facts.credentials:
        return Outcome.ELIGIBLE, _("You hold a valid “%(name)s”.") % {"name": name}
    return Outcome.NOT_ELIGIBLE, _("The service is for holders of a valid “%(name)s”; you hold none.") % {"name": name}


RULE_KINDS: dict[str, RuleKind] = {
    "age": RuleKind(lambda r: _range_valid(r, "min", "max"), _age, needs_profile=("date_of_birth",)),
    "district": RuleKind(
        lambda r: isinstance(r.get("in"), list) and bool(r["in"]) and set(r["in"]) <= set(District.values),
        _district,
        needs_profile=("district",),
    ),
    "answer": RuleKind(
        lambda r: isinstance(r.get("field"), str) and ("equals" in r or (isinstance(r.get("in"), list) and r["in"])),
        _answer,
        needs_answer=True,
    ),
    "answer_at_least": RuleKind(
        lambda r: isinstance(r.get("field"), str) and isinstance(r.get("min"), (int, float)),
        _answer_at_least,
        needs_answer=True,
    ),
    "child_age": RuleKind(
        lambda r: isinstance(r.get("field"), str) and _range_valid(r, "min_months", "max_months"),
        _child_age,
        needs_answer=True,
    ),
    # {"kind": "credential", "type": "employment-registration"}: holds a valid credential of that type (issued by
    # the portal's departments, services.credentials); the caller tells which it holds.
    "credential": RuleKind(lambda r: isinstance(r.get("type"), str) and bool(r["type"]), _credential),
}


def validate_eligibility_rules(rules) -> None:
    """Raise ValidationError unless ``rules`` is a list of rules of known kinds with valid parameters."""
    if not isinstance(rules, list):
        raise ValidationError(_("Eligibility rules are a list of rules."))
    for number, rule in enumerate(rules, 1):
        kind = (
            RULE_KINDS.get(rule.get("kind")) if isinstance(rule, dict) and isinstance(rule.get("kind"), str) else None
        )
        if kind is None or not kind.valid(rule):
            raise ValidationError(
                _("Rule %(number)s is not valid: use one of the kinds %(kinds)s with its parameters.")
                % {"number": number, "kinds": ", ".join(RULE_KINDS)}
            )
