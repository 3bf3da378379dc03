"""Load the demo's appointment place with its opening hours and seats (idempotent; embedded mode only)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from services.appointments.actions import locations_demo_load
from services.appointments.demo import LOCATIONS


class Command(BaseCommand):
    help = "Load the demo appointment places over the demo catalogue (run load_demo first)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo appointment places are for the embedded mode: run with DJANGO_DEBUG=true.")
        seats = locations_demo_load(locations=LOCATIONS)
        self.stdout.write(self.style.SUCCESS(f"Appointments demo loaded: {len(LOCATIONS)} places, {seats} new seats."))
