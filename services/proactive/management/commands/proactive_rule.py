"""Dry-run a proactive rule against every resident (how many it would offer its service to), or run it."""

import time

from django.core.management.base import BaseCommand, CommandError

from services.proactive.actions import rule_run
from services.proactive.models import ProactiveRule
from services.proactive.selectors import rule_dry_run


class Command(BaseCommand):
    help = "Dry-run a proactive rule against every resident (nothing written), or with --run make its entitlements."

    def add_arguments(self, parser):
        parser.add_argument("rule", type=int, help="The rule's id (in the admin's address).")
        parser.add_argument("--run", action="store_true", help="Make the entitlements (offers or grants) too.")

    def handle(self, *args, rule, run, **options):
        try:
            rule = ProactiveRule.objects.select_related("service").get(pk=rule)
        except ProactiveRule.DoesNotExist:
            raise CommandError(f"No proactive rule {rule}.") from None
        started = time.monotonic()

        def progress(checked: int, to_check: int) -> None:
            rate = checked / max(time.monotonic() - started, 1e-6)
            self.stderr.write(f"{checked:,} of {to_check:,} residents checked ({rate:,.0f}/s)")

        if run:
            made = rule_run(rule=rule, on_progress=progress)
            self.stdout.write(f"{rule}: {made:,} entitlements made in {time.monotonic() - started:.1f}s.")
            return
        result = rule_dry_run(rule=rule, on_progress=progress)
        self.stdout.write(
            f"{rule}: would offer to {result.matched:,} of {result.residents:,} residents "
            f"(dry run, {time.monotonic() - started:.1f}s)."
        )
        if result.everyone:
            self.stdout.write(self.style.WARNING("It matches every resident: switching it on asks for confirmation."))
