"""Load months of decided applications for the embedded demo, and count the city view's figures (idempotent;
refuses outside DEBUG)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from services.accounts.models import User
from services.statistics.actions import city_figures_refresh, city_supervisor_grant
from services.statistics.citydemo import city_demo_load
from services.statistics.demo import demo_history_load


class Command(BaseCommand):
    help = "Load months of decided applications, ratings and follow-ups for the demo's statistics and city view."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo history is for the embedded mode: run with DJANGO_DEBUG=true.")
        city_supervisor = User.objects.filter(email="city.supervisor@demo.portal").first()  # made by load_demo
        if city_supervisor:
            city_supervisor_grant(user=city_supervisor)
        created = demo_history_load()
        city = city_demo_load()
        city_figures_refresh()  # beat does it every CITY_VIEW_REFRESH_SECONDS in full mode; make run has no beat
        self.stdout.write(
            self.style.SUCCESS(f"Demo history loaded: {created} applications, and {city} for the city view.")
        )
