"""Load a few months of decided applications for the embedded demo (idempotent; refuses outside DEBUG)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from services.statistics.demo import demo_history_load


class Command(BaseCommand):
    help = "Load months of decided applications, ratings and follow-ups for the demo's statistics and dashboard."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo history is for the embedded mode: run with DJANGO_DEBUG=true.")
        created = demo_history_load()
        self.stdout.write(self.style.SUCCESS(f"Demo history loaded: {created} applications."))
