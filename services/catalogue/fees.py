"""Fee rules as data: what a service charges, in integer fen (CNY), and when the fee is waived.

A service's ``fee_rule`` is ``{}`` (free) or, for example::

    {"amount_fen": 2000, "per": "copies", "waived_if": [{"kind": "answer", "field": "low_income", "equals": true}]}

``amount_fen`` is the price (of one unit when ``per`` names an integer question, whose answer is the number of
units); the fee is waived when every rule of ``waived_if`` (eligibility rules, services.catalogue.eligibility)
holds. ``fee_quote`` is the one place the amount is worked out: the service page, the check page, the API and
the submission all ask it.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from services.dynamic_forms.fields import display_answer, label_of

from .eligibility import RULE_KINDS, Facts, Outcome, validate_eligibility_rules

MAX_FEE_FEN = 10_000_000  # ¥100,000: a public service's fee above it is a typing mistake


@dataclass(frozen=True)
class FeeQuote:
    """The fee of one application: ``amount_fen`` to pay (0 when free or waived), ``full_fen`` before a waiver."""

    amount_fen: int
    full_fen: int
    units: int | None = None  # the answer multiplying the price, for a fee per unit
    waived: bool = False
    reasons: list[str] = field(default_factory=list)  # why it is waived

    @property
    def is_due(self) -> bool:
        return self.amount_fen > 0

    @property
    def full_yuan(self) -> str:
        return yuan(self.full_fen)


def yuan(fen: int) -> str:
    """Return an amount in fen written in yuan: 2000 → ¥20.00."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def _positive_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_FEE_FEN


def validate_fee_rule(rule) -> None:
    """Raise ValidationError unless ``rule`` is {} or a fee rule of the shape above."""
    if not isinstance(rule, dict):
        raise ValidationError(_("The fee rule is an object: {} for a free service."))
    if not rule:
        return
    unknown = set(rule) - {"amount_fen", "per", "waived_if"}
    if unknown or not _positive_int(rule.get("amount_fen")):
        raise ValidationError(
            _("A fee rule has a whole number of fen from 1 to %(max)s in amount_fen, and may have per and waived_if.")
            % {"max": MAX_FEE_FEN}
        )
    if "per" in rule and not (isinstance(rule["per"], str) and rule["per"]):
        raise ValidationError(_("The fee rule's per names a question of the form."))
    validate_eligibility_rules(rule.get("waived_if", []))


def fee_rule_questions(rule: dict) -> list[str]:
    """Return the form questions a fee rule looks at (its unit count and its waiver's answers)."""
    names = [rule["per"]] if rule.get("per") else []
    return names + [waiver["field"] for waiver in rule.get("waived_if", []) if RULE_KINDS[waiver["kind"]].needs_answer]


def fee_quote(*, rule: dict, facts: Facts) -> FeeQuote:
    """Return the fee the rule charges for these facts (an unanswered unit count counts as none yet)."""
    if not rule:
        return FeeQuote(amount_fen=0, full_fen=0)
    units = None
    if rule.get("per"):
        answer = facts.answers.get(rule["per"])
        units = answer if isinstance(answer, int) and not isinstance(answer, bool) and answer > 0 else 0
    full = rule["amount_fen"] * (1 if units is None else units)
    waivers = [RULE_KINDS[waiver["kind"]].evaluate(waiver, facts) for waiver in rule.get("waived_if", [])]
    if waivers and all(outcome == Outcome.ELIGIBLE for outcome, _reason in waivers):
        return FeeQuote(amount_fen=0, full_fen=full, units=units, waived=True, reasons=[r for _o, r in waivers])
    return FeeQuote(amount_fen=full, full_fen=full, units=units)


def _waiver_text(waiver: dict, properties: dict) -> str:
    if waiver["kind"] != "answer":
        return _("you meet the waiver's conditions")
    prop = properties.get(waiver["field"], {})
    accepted = [waiver["equals"]] if "equals" in waiver else waiver["in"]
    return _("“%(question)s” is %(answers)s") % {
        "question": label_of(waiver["field"], prop),
        "answers": " / ".join(display_answer(prop, value) for value in accepted),
    }


def fee_rule_text(*, rule: dict, properties: dict) -> str:
    """Return the fee rule in words, for the service's page: "Free", "¥20.00 for each “Copies”"..."""
    if not rule:
        return _("Free")
    text = yuan(rule["amount_fen"])
    if rule.get("per"):
        prop = properties.get(rule["per"], {})
        text = _("%(amount)s for each of “%(question)s”") % {"amount": text, "question": label_of(rule["per"], prop)}
    if rule.get("waived_if"):
        conditions = [_waiver_text(waiver, properties) for waiver in rule["waived_if"]]
        text = _("%(fee)s; no fee if %(conditions)s") % {"fee": text, "conditions": _(" and ").join(conditions)}
    return text
