"""Writes of proactive services: entitlements made when a rule's trigger fires (an event, the periodic check),
confirmed or declined by the resident (or their agent), or granted at once; rules switched on; offers turned off.

An entitlement becomes an application through the applications workflow: confirmed, a draft filled from the facts
is submitted for the resident (and routed as any other); granted, the draft is approved by the system."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from services.accounts.models import User
from services.accounts.selectors import profile_for_user
from services.applications.actions import application_create_draft, application_grant, application_submit
from services.catalogue.models import Service
from services.common.errors import DomainError, InvalidTransition, NotEligible, ValidationFailed
from services.notifications.actions import notify
from services.notifications.models import Event as Notice

from .models import Entitlement, EntitlementStatus, Mode, OptOut, ProactiveRule, RuleStatus
from .selectors import (
    entitlement_check,
    offers_on,
    periodic_rules,
    person_check,
    rule_dry_run,
    rule_matches,
    rule_period,
    rules_for_event,
)
from .triggers import event_concerns, event_matches

logger = logging.getLogger(__name__)


def _reasons(entitlement: Entitlement) -> dict:
    """The reasons the entitlement rests on, in both languages (for the message)."""
    worded = {}
    for code, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            result = entitlement_check(service=entitlement.service, facts=entitlement.facts)
            worded[code] = [rule.reason for rule in result.rules]
    return worded


def _tell(entitlement: Entitlement, event: str) -> None:
    service = entitlement.service
    notify(
        event=event,
        event_key=f"entitlement:{entitlement.public_id}:{entitlement.status}",
        recipients=[entitlement.person],
        payload={
            "service": {"zh": service.title_zh, "en": service.title_en},
            "department": {"zh": service.department.name_zh, "en": service.department.name_en},
            "reference": entitlement.application.reference if entitlement.application else "",
            "reasons": _reasons(entitlement),
            "path": "/entitlements/",
        },
        new_key=True,
    )


def _grant(entitlement: Entitlement) -> None:
    """Make the entitlement an application approved at once, and tell the person what, on what data, how to object."""
    draft = application_create_draft(
        applicant=entitlement.person, service=entitlement.service, answers=entitlement.facts["answers"]
    )
    with translation.override(profile_for_user(user=entitlement.person).preferred_language or "zh-hans"):
        reason = str(_("Granted without applying: you meet the service's rules on the data the portal holds."))
    entitlement.application = application_grant(application=draft, reason=reason)
    entitlement.save(update_fields=["application", "updated_at"])
    _tell(entitlement, Notice.ENTITLEMENT_GRANTED)


def entitlement_make(*, rule: ProactiveRule, person, facts: dict, period: str, trigger: dict) -> Entitlement | None:
    """Offer the rule's service to the person (or grant it, as the rule says), once per rule, person and period;
    return the new entitlement, or None when there already is one (a repeated trigger) or offers are off."""
    if not offers_on(user=person):
        return None
    try:
        with transaction.atomic():
            entitlement = Entitlement.objects.create(
                rule=rule, service=rule.service, person=person, period=period, facts={**facts, "trigger": trigger},
                status=EntitlementStatus.GRANTED if rule.mode == Mode.GRANT else EntitlementStatus.OFFERED,
            )  # fmt: skip
            if rule.mode == Mode.GRANT:
                _grant(entitlement)
            else:
                _tell(entitlement, Notice.ENTITLEMENT_OFFERED)
    except IntegrityError:  # the (rule, person, period) is taken: the same trigger again
        return None
    logger.info("entitlement made", extra={"rule": rule.pk, "status": entitlement.status})
    return entitlement


def rules_react(*, event) -> int:
    """React to an outbox event: every active rule it triggers offers its service to the person concerned, if
    eligible (a listener of services/events/reactions.py: run twice, it makes nothing new); return how many."""
    rules = [rule for rule in rules_for_event(type=event.type) if event_matches(conditions=rule.event_conditions,
                                                                                 data=event.data)]  # fmt: skip
    concerned = event_concerns(event) if rules else None
    if concerned is None:
        return 0
    profile = profile_for_user(user=concerned.person)
    made = 0
    for rule in rules:
        entitled, facts = person_check(service=rule.service, profile=profile, answers=concerned.answers)
        if not entitled:
            continue
        trigger = {"event": str(event.event_id), "type": event.type, "subject": event.subject}
        try:
            made += entitlement_make(rule=rule, person=concerned.person, facts=facts, trigger=trigger,
                                     period=rule_period(rule=rule, subject=event.subject)) is not None  # fmt: skip
        except DomainError:  # e.g. its service closed since: the other rules still act, and staff see why
            logger.warning("proactive rule could not act", exc_info=True, extra={"rule": rule.pk})
    return made


OFFERS_AT_ONCE = 500


@transaction.atomic
def _offers_make(*, rule: ProactiveRule, matches: list[tuple[int, dict]], period: str) -> int:
    """Make the offers of a periodic rule to ``matches`` in one insert (those already made are skipped by the unique
    constraint) and tell each person; return how many were made."""
    rows = [
        Entitlement(rule=rule, service=rule.service, person_id=user_id, period=period, status=EntitlementStatus.OFFERED,
                    facts={**facts, "trigger": {"type": "periodic"}})
        for user_id, facts in matches
    ]  # fmt: skip
    Entitlement.objects.bulk_create(rows, ignore_conflicts=True)
    made = Entitlement.objects.filter(public_id__in=[row.public_id for row in rows])
    made = list(made.select_related("person__profile", "service__department"))
    for entitlement in made:
        _tell(entitlement, Notice.ENTITLEMENT_OFFERED)
    return len(made)


def rule_run(*, rule: ProactiveRule, on_progress=None) -> int:
    """Check every resident against a periodic rule and make the entitlements it finds (a second run the same
    period makes nothing new); return how many were made. Offers are made OFFERS_AT_ONCE at a time; a grant makes
    its application one by one."""
    period = rule_period(rule=rule)
    taken = set(Entitlement.objects.filter(rule=rule, period=period).values_list("person_id", flat=True))
    made, waiting = 0, []
    for user_id, facts in rule_matches(rule=rule, on_progress=on_progress):
        if user_id in taken:
            continue
        if rule.mode == Mode.OFFER:
            waiting.append((user_id, facts))
            if len(waiting) == OFFERS_AT_ONCE:
                made, waiting = made + _offers_make(rule=rule, matches=waiting, period=period), []
            continue
        person = User.objects.select_related("profile").get(pk=user_id)
        made += entitlement_make(rule=rule, person=person, facts=facts, period=period,
                                 trigger={"type": "periodic"}) is not None  # fmt: skip
    return made + (_offers_make(rule=rule, matches=waiting, period=period) if waiting else 0)


def periodic_rules_run() -> int:
    """Run every active periodic rule (the daily check); return how many entitlements were made."""
    return sum(rule_run(rule=rule) for rule in periodic_rules())


def rule_activate(*, rule: ProactiveRule, by, everyone_confirmed: bool = False) -> ProactiveRule:
    """Switch a rule on after a dry run; a rule that would offer its service to every resident is switched on only
    when ``everyone_confirmed`` (ValidationFailed otherwise, with the count)."""
    if rule.status != RuleStatus.ACTIVE:
        dry_run = rule_dry_run(rule=rule)
        if dry_run.everyone and not everyone_confirmed:
            message = _(
                "This rule would offer the service to every resident (%(count)s). Confirm that this is intended."
            ) % {"count": dry_run.residents}
            raise ValidationFailed(message, errors={"everyone_confirmed": [message]})
        rule.status, rule.activated_at, rule.activated_by = RuleStatus.ACTIVE, timezone.now(), by
        rule.save(update_fields=["status", "activated_at", "activated_by", "updated_at"])
    return rule


def rule_deactivate(*, rule: ProactiveRule) -> ProactiveRule:
    """Switch a rule off (back to a draft that can be changed): no new entitlements; those made stay."""
    rule.status = RuleStatus.DRAFT
    rule.save(update_fields=["status", "updated_at"])
    return rule


@transaction.atomic
def proactive_demo_load(*, rules: list) -> int:
    """Create or update the demo rules (services/proactive/demo.py), switch the active ones on as confirmed, and
    run the periodic ones; return how many entitlements were made (none the second time)."""
    for slug, name, trigger, event_type, conditions, mode, period, status in rules:
        rule, _created = ProactiveRule.objects.update_or_create(
            service=Service.objects.get(slug=slug), name=name,
            defaults={"trigger": trigger, "event_type": event_type, "event_conditions": conditions, "mode": mode,
                      "period": period},
        )  # fmt: skip
        if status == RuleStatus.ACTIVE:
            rule_activate(rule=rule, by=None, everyone_confirmed=True)  # the demo's few residents all qualify
    return periodic_rules_run()


def _answer(entitlement: Entitlement, by, status: str, **changes) -> Entitlement:
    """Record the resident's answer to an offer (it may be answered once: an answered one raises)."""
    answered = Entitlement.objects.filter(pk=entitlement.pk, status=EntitlementStatus.OFFERED).update(
        status=status, answered_at=timezone.now(), answered_by=by, updated_at=timezone.now(), **changes
    )
    if not answered:
        raise InvalidTransition(_("This offer has already been answered."))
    entitlement.refresh_from_db()
    return entitlement


@transaction.atomic
def entitlement_confirm(*, entitlement: Entitlement, by) -> Entitlement:
    """Take up an offer: an application filled from the facts is made for the person (by their agent, when ``by``
    acts for them) and submitted; if the form still needs answers, it stays a draft for them to finish."""
    acting = None if by.pk == entitlement.person_id else by
    draft = application_create_draft(
        applicant=entitlement.person, service=entitlement.service, answers=entitlement.facts.get("answers") or {},
        acting=acting,
    )  # fmt: skip
    entitlement = _answer(entitlement, by, EntitlementStatus.CONFIRMED, application=draft)
    try:
        with transaction.atomic():
            application_submit(application=draft, by=by)
    except (ValidationFailed, NotEligible):
        pass  # the draft waits for the answers only the person can give
    entitlement.application.refresh_from_db()
    return entitlement


def entitlement_decline(*, entitlement: Entitlement, by) -> Entitlement:
    """Turn an offer down (nothing is applied for)."""
    return _answer(entitlement, by, EntitlementStatus.DECLINED)


def proactive_offers_set(*, user, on: bool) -> bool:
    """Turn proactive offers (and grants without applying) on or off for the resident; return the new setting."""
    if on:
        OptOut.objects.filter(user=user).delete()
    else:
        OptOut.objects.bulk_create([OptOut(user=user)], ignore_conflicts=True)  # one statement, set or not
    return on
