"""Load the demo proactive rules and run the active periodic ones (idempotent; embedded mode only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from services.proactive.actions import proactive_demo_load
from services.proactive.demo import RULES


class Command(BaseCommand):
    help = "Load demo proactive rules over the demo catalogue and offer their services (run load_demo first)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo proactive rules are for the embedded mode: run with DJANGO_DEBUG=true.")
        made = proactive_demo_load(rules=RULES)
        self.stdout.write(self.style.SUCCESS(f"Proactive demo loaded: {len(RULES)} rules, {made} new offers."))
