"""Load the demo team queues, routing rules and life-event bundles (idempotent; embedded mode only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from services.routing.actions import routing_demo_load
from services.routing.demo import BUNDLES, RULES, TEAMS


class Command(BaseCommand):
    help = "Load demo teams, routing rules and bundles over the demo catalogue (run load_demo first)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo routing rules are for the embedded mode: run with DJANGO_DEBUG=true.")
        routing_demo_load(teams=TEAMS, rules=RULES, bundles=BUNDLES)
        self.stdout.write(
            self.style.SUCCESS(f"Routing demo loaded: {len(TEAMS)} teams, {len(RULES)} rules, {len(BUNDLES)} bundles.")
        )
