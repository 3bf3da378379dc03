"""Load the service catalogue (departments, categories, life events, document types, services and their forms).

Idempotent: running it again brings every listed service back to the data in services/catalogue/data.py
and publishes a new form version only for a form that changed. Safe in production (no logins are made).
"""

from django.core.management.base import BaseCommand

from services.catalogue.actions import catalogue_load
from services.catalogue.data import CATALOGUE


class Command(BaseCommand):
    help = "Load or update the service catalogue from services/catalogue/data.py (idempotent)."

    def handle(self, *args, **options):
        count = catalogue_load(data=CATALOGUE)
        self.stdout.write(
            self.style.SUCCESS(f"Catalogue loaded: {len(CATALOGUE['departments'])} departments, {count} services.")
        )
