"""The routing conditions a rule can combine: a registry of small evaluators, one entry per kind.

Each condition is stored as text (a kind, a question for answer conditions, a value) and parsed by
its kind, so a new kind of condition is one entry here, and the admin validates what staff type.
"""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from services.accounts.models import District


@dataclass(frozen=True)
class RoutingFacts:
    """What routing knows about an application: its service and category, the resident, the answers."""

    service: str
    category: str = ""
    district: str = ""
    age: int | None = None
    answers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Condition:
    label: Any  # lazy translated text
    parse: Callable[[str], Any]  # the stored value → what ``test`` compares; raises ValidationError
    test: Callable[[RoutingFacts, str, Any], bool]  # (facts, question, parsed value) → matches?
    needs_question: bool = False


def age_on(born: dt.date | None, day: dt.date) -> int | None:
    """Return the age in whole years on ``day`` of a person born on ``born``."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _words(value: str) -> frozenset[str]:
    words = frozenset(word.strip() for word in value.split(",") if word.strip())
    if not words:
        raise ValidationError(_("Enter one or more values, separated by commas."))
    return words


def _districts(value: str) -> frozenset[str]:
    districts = _words(value)
    unknown = sorted(districts - set(District.values))
    if unknown:
        raise ValidationError(
            _("Unknown districts: %(names)s. Use: %(known)s.")
            % {"names": ", ".join(unknown), "known": ", ".join(District.values)}
        )
    return districts


def _age(value: str) -> int:
    try:
        age = int(value)
    except ValueError:
        age = -1
    if not 0 <= age <= 150:
        raise ValidationError(_("Enter an age in whole years, from 0 to 150."))
    return age


def _answer(value: str) -> Any:
    """JSON when it parses (true, 3, "a"), else the text itself."""
    try:
        return json.loads(value)
    except ValueError:
        return value


def _same_answer(answer: Any, expected: Any) -> bool:
    # true == 1 in Python, but a yes/no answer is not a number.
    return isinstance(answer, bool) == isinstance(expected, bool) and answer == expected


CONDITIONS: dict[str, Condition] = {
    "service": Condition(_("service is one of (slugs)"), _words, lambda facts, q, value: facts.service in value),
    "category": Condition(_("service category is one of"), _words, lambda facts, q, value: facts.category in value),
    "district": Condition(
        _("resident's district is one of"), _districts, lambda facts, q, value: facts.district in value
    ),
    "age_at_least": Condition(
        _("resident's age is at least"), _age, lambda facts, q, value: facts.age is not None and facts.age >= value
    ),
    "age_under": Condition(
        _("resident's age is under"), _age, lambda facts, q, value: facts.age is not None and facts.age < value
    ),
    "answer": Condition(
        _("the answer to the question is"),
        _answer,
        lambda facts, question, value: question in facts.answers and _same_answer(facts.answers[question], value),
        needs_question=True,
    ),
}


def condition_choices() -> list[tuple[str, Any]]:
    """Return the kinds of condition for a choice field (a callable, so a new kind needs no migration)."""
    return [(kind, condition.label) for kind, condition in CONDITIONS.items()]
