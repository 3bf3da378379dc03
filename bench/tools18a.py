"""Helpers `bench/issue18a.py` calls inside the portal's settings (via `manage.py shell -c`): residents to check,
the rule, the bare loop, and the portal's dry run and run of the rule, each timed in-process."""

import datetime as dt
import json
import random
import sys
import time

DISTRICTS = ["pudong", "minhang", "xuhui", "changning", "jingan", "putuo", "hongkou", "yangpu"]
# Residents turning 60 this year in eight of the sixteen districts: about one in 200 of the seeded ages.
RULES = [{"kind": "age", "min": 60, "max": 61}, {"kind": "district", "in": DISTRICTS}]


def seed_residents(count: int) -> None:
    """Make ``count`` residents (ages 0-99, the 16 districts, in-app messages only), unless they are there."""
    from services.accounts.models import District, ResidentProfile, User

    have = ResidentProfile.objects.count()
    rng, today, districts = random.Random(18), dt.date.today(), list(District.values)  # noqa: S311  # test data
    for start in range(have, count, 10_000):
        n = min(10_000, count - start)
        unusable = "!"  # no password: these residents never sign in
        users = User.objects.bulk_create(
            User(email=f"resident-{start + i}@bench.test", password=unusable) for i in range(n)
        )
        ResidentProfile.objects.bulk_create(
            ResidentProfile(user=user, date_of_birth=today - dt.timedelta(days=rng.randrange(100 * 365)),
                            district=rng.choice(districts), notify_by_email=False)
            for user in users
        )  # fmt: skip
        print(f"seeded {start + n:,} residents", file=sys.stderr, flush=True)


def the_rule():
    """The proactive rule measured (periodic, offers once a year) over its own service."""
    from services.catalogue.models import Department, Service
    from services.proactive.models import Mode, Period, ProactiveRule, Trigger

    department, _ = Department.objects.get_or_create(code="health", defaults={"name_zh": "卫健委", "name_en": "Health",
                                                                             "reference_prefix": "HLT"})  # fmt: skip
    service, _ = Service.objects.update_or_create(
        slug="bench-senior-card", defaults={"department": department, "title_zh": "敬老卡", "title_en": "Senior card",
                                            "eligibility_rules": RULES, "form_schema": {"type": "object",
                                                                                        "properties": {}}},
    )  # fmt: skip
    rule, _ = ProactiveRule.objects.get_or_create(service=service, name="Turning 60", trigger=Trigger.PERIODIC,
                                                  mode=Mode.OFFER, period=Period.YEAR)  # fmt: skip
    return rule


def bare_loop() -> str:
    """The baseline: every resident's row read with a plain cursor and the same rules evaluated on it in Python."""
    from django.db import connection

    from services.catalogue.eligibility import RULE_KINDS, Facts, Outcome

    started, matched, today = time.perf_counter(), 0, dt.date.today()
    with connection.cursor() as cursor:
        cursor.execute("SELECT user_id, date_of_birth, district FROM accounts_residentprofile")
        rows = cursor.fetchall()
    for _user_id, born, district in rows:
        facts = Facts(date_of_birth=born, district=district, answers={}, properties={}, today=today)
        matched += all(RULE_KINDS[rule["kind"]].evaluate(rule, facts)[0] == Outcome.ELIGIBLE for rule in RULES)
    return json.dumps({"residents": len(rows), "matched": matched, "seconds": time.perf_counter() - started})


def _progress(started: float):
    def show(checked: int, to_check: int) -> None:
        print(f"{checked:,} of {to_check:,} residents checked ({time.perf_counter() - started:.1f}s)", file=sys.stderr,
              flush=True)  # fmt: skip

    return show


def portal_dry_run() -> str:
    """The portal's dry run of the rule over every resident (what the admin and the command show)."""
    from services.proactive.selectors import rule_dry_run

    rule = the_rule()
    started = time.perf_counter()
    result = rule_dry_run(rule=rule, on_progress=_progress(started))
    seconds = time.perf_counter() - started
    return json.dumps({"residents": result.residents, "matched": result.matched, "seconds": seconds})


def portal_run() -> str:
    """The portal's run of the rule: every resident checked, the entitlements made (offers, with their messages)."""
    from services.proactive.actions import rule_run
    from services.proactive.models import Entitlement
    from services.proactive.selectors import residents

    rule = the_rule()
    Entitlement.objects.filter(rule=rule).delete()
    started = time.perf_counter()
    made = rule_run(rule=rule, on_progress=_progress(started))
    seconds = time.perf_counter() - started
    return json.dumps({"residents": residents().count(), "matched": made, "seconds": seconds})
