"""Reads of proactive services: whom a rule finds entitled (one resident, or every resident in chunks for the
periodic check and the dry run), the facts an entitlement rests on worded again, a resident's entitlements, and
the uptake per service for the city view."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from services.accounts.models import ResidentProfile
from services.catalogue.eligibility import EligibilityResult, Outcome
from services.catalogue.models import Service
from services.catalogue.selectors import eligibility_check
from services.credentials.models import Credential, State
from services.credentials.selectors import credential_type_names
from services.dynamic_forms.structure import questions
from services.mandates.selectors import mandate_covering_q

from .models import Entitlement, EntitlementStatus, OptOut, Period, ProactiveRule, RuleStatus, Trigger

CHUNK = 5000


def rule_period(*, rule: ProactiveRule, subject: str = "", today: dt.date | None = None) -> str:
    """Return the period an entitlement of the rule counts in: one per person, per year, or per event subject."""
    if rule.period == Period.YEAR:
        return str((today or timezone.localdate()).year)
    return subject if rule.period == Period.SUBJECT else ""


def _credential_types(rules: list) -> list[str]:
    return [rule["type"] for rule in rules if rule["kind"] == "credential"]


def entitlement_facts(
    *, rules: list, profile, answers: dict, credentials: set[str] | None, today: dt.date, asked: set[str] = frozenset()
) -> dict:
    """Return what an entitlement keeps of the facts it rests on: the rules and day of the check, the profile facts,
    the answers the rules looked at or the offered form asks (``asked``: they fill it in, e.g. a reported birth's
    child) and the credentials the rules looked at (only those)."""
    fields = {rule["field"] for rule in rules if "field" in rule} | asked
    types = set(_credential_types(rules))
    return {
        "rules": rules,
        "today": today.isoformat(),
        "date_of_birth": profile.date_of_birth.isoformat() if profile.date_of_birth else None,
        "district": profile.district or "",
        "answers": {name: value for name, value in answers.items() if name in fields},
        "credentials": None if credentials is None else sorted(credentials & types),
    }


def entitlement_check(*, service: Service, facts: dict) -> EligibilityResult:
    """Return the service's rules checked on kept ``facts`` (entitlement_facts), worded in the current language."""
    born = facts.get("date_of_birth")
    profile = SimpleNamespace(date_of_birth=dt.date.fromisoformat(born) if born else None, district=facts["district"])
    credentials = facts.get("credentials")
    return eligibility_check(
        service=service,
        profile=profile,
        answers=facts.get("answers") or {},
        credentials=None if credentials is None else set(credentials),
        credential_names=credential_type_names() if credentials is not None else None,
        rules=facts["rules"],
        today=dt.date.fromisoformat(facts["today"]),
    )


def person_check(*, service: Service, profile, answers: dict) -> tuple[bool, dict]:
    """Return whether the person (their profile) is entitled to the service now, with the facts it rests on."""
    rules, today = service.eligibility_rules, timezone.localdate()
    types = _credential_types(rules)
    credentials = _held(user_ids=[profile.user_id], types=types).get(profile.user_id, set()) if types else None
    asked = {name for name, _prop in questions(service.form_schema)}
    facts = entitlement_facts(
        rules=rules, profile=profile, answers=answers, credentials=credentials, today=today, asked=asked
    )
    return entitlement_check(service=service, facts=facts).outcome == Outcome.ELIGIBLE, facts


def offers_on(*, user) -> bool:
    """Whether the resident takes proactive offers (the default) or turned them off."""
    return not OptOut.objects.filter(user=user).exists()


def residents():
    """Every resident who may be offered something: active, not staff, proactive offers not turned off."""
    return ResidentProfile.objects.filter(user__is_active=True, user__is_staff=False).exclude(
        user__in=OptOut.objects.values("user")
    )


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _narrowed(rules: list, today: dt.date):
    """Residents, narrowed in SQL by the rules on profile columns (age, district) a little more loosely than the
    rules themselves: each one left is checked by the rules in Python, which decide."""
    rows = residents()
    for rule in rules:
        if rule["kind"] == "district":
            rows = rows.filter(district__in=rule["in"])
        elif rule["kind"] == "age":
            rows = rows.filter(date_of_birth__isnull=False)
            if "min" in rule:
                rows = rows.filter(date_of_birth__lte=_years_ago(today, rule["min"]) + dt.timedelta(days=1))
            if "max" in rule:
                rows = rows.filter(date_of_birth__gte=_years_ago(today, rule["max"]) - dt.timedelta(days=1))
    return rows


def _held(*, user_ids: list[int], types: list[str]) -> dict[int, set[str]]:
    """Return the credential types of ``types`` each of the users holds valid now."""
    now = timezone.now()
    valid = Credential.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=now),
        holder_id__in=user_ids, type__code__in=types, status=State.ACTIVE, valid_from__lte=now,
    )  # fmt: skip
    held: dict[int, set[str]] = {}
    for holder_id, code in valid.values_list("holder_id", "type__code"):
        held.setdefault(holder_id, set()).add(code)
    return held


Progress = Callable[[int, int], None]


def rule_matches(*, rule: ProactiveRule, on_progress: Progress | None = None) -> Iterator[tuple[int, dict]]:
    """Yield the id and the facts of every resident the rule's service finds eligible now on their profile and
    credentials, in chunks of CHUNK; ``on_progress(checked, to_check)`` after each chunk."""
    service, today = rule.service, timezone.localdate()
    rules, types = service.eligibility_rules, _credential_types(service.eligibility_rules)
    rows = _narrowed(rules, today).order_by("user_id").values_list("user_id", "date_of_birth", "district")
    to_check, checked, last = rows.count(), 0, 0
    while batch := list(rows.filter(user_id__gt=last)[:CHUNK]):
        held = _held(user_ids=[row[0] for row in batch], types=types) if types else {}
        for user_id, born, district in batch:
            profile = SimpleNamespace(date_of_birth=born, district=district)
            credentials = held.get(user_id, set()) if types else None
            facts = entitlement_facts(rules=rules, profile=profile, answers={}, credentials=credentials, today=today)
            if entitlement_check(service=service, facts=facts).outcome == Outcome.ELIGIBLE:
                yield user_id, facts
        checked, last = checked + len(batch), batch[-1][0]
        if on_progress:
            on_progress(checked, to_check)


@dataclass(frozen=True)
class DryRun:
    residents: int  # every resident who takes offers
    matched: int  # of them, those the rule would offer (or grant) to now

    @property
    def everyone(self) -> bool:
        return self.residents > 0 and self.matched == self.residents


def rule_dry_run(*, rule: ProactiveRule, on_progress: Progress | None = None) -> DryRun:
    """Return how many residents the rule would offer its service to now, of how many (nothing is written)."""
    matched = sum(1 for _match in rule_matches(rule=rule, on_progress=on_progress))
    return DryRun(residents=residents().count(), matched=matched)


def rules_for_event(*, type: str) -> list[ProactiveRule]:
    """Return the active rules an event of ``type`` triggers."""
    active = ProactiveRule.objects.filter(status=RuleStatus.ACTIVE, trigger=Trigger.EVENT, event_type=type)
    return list(active.select_related("service__department"))


def periodic_rules() -> list[ProactiveRule]:
    """Return the active rules of the periodic check."""
    active = ProactiveRule.objects.filter(status=RuleStatus.ACTIVE, trigger=Trigger.PERIODIC)
    return list(active.select_related("service__department"))


def _reachable(*, user, act: bool):
    """Entitlements of the user and of the people they act for, within each mandate's scope."""
    return Entitlement.objects.filter(
        Q(person=user) | Q(mandate_covering_q(grantee=user, act=act, subject="person", service="service"))
    )


def entitlement_list_for_resident(*, user) -> list[Entitlement]:
    """Return the user's entitlements and those of the people they act for, offers first, then newest first, each
    with the ``reasons`` it rests on."""
    rows = _reachable(user=user, act=False).select_related("service__department", "person__profile", "application")
    rows = sorted(rows.order_by("-created_at"), key=lambda row: row.status != EntitlementStatus.OFFERED)
    for row in rows:  # what each rests on, worded in the reader's language
        row.reasons = entitlement_check(service=row.service, facts=row.facts).rules
    return rows


def entitlement_get_for_resident(*, user, public_id, act: bool = False) -> Entitlement:
    """Return an entitlement the user may see (with ``act``: answer), or raise Http404 (another person's, or one
    outside the mandate's scope, is not found)."""
    rows = _reachable(user=user, act=act).select_related("service__department", "person__profile", "application")
    entitlement = rows.filter(public_id=public_id).first()
    if entitlement is None:
        raise Http404("No entitlement")
    return entitlement


def uptake_by_service() -> list[dict]:
    """Return, per service, how many entitlements were offered, confirmed, declined and granted (for the city view);
    "offered" counts every offer made, whatever became of it."""
    counts = {status: Count("pk", filter=Q(status=status)) for status in EntitlementStatus.values}
    rows = (
        Entitlement.objects.values("service_id", "service__slug", "service__title_zh", "service__title_en")
        .annotate(**counts, made=Count("pk"))
        .order_by("service__slug")
    )
    return [
        {
            "service": row["service__slug"],
            "title_zh": row["service__title_zh"],
            "title_en": row["service__title_en"],
            "offered": row["made"] - row[EntitlementStatus.GRANTED],
            "confirmed": row[EntitlementStatus.CONFIRMED],
            "declined": row[EntitlementStatus.DECLINED],
            "granted": row[EntitlementStatus.GRANTED],
        }
        for row in rows
    ]
