"""Count the open applications afresh into their kept counts (services.applications.backlog), e.g. after restoring
the applications table without its triggers."""

from django.core.management.base import BaseCommand

from services.applications.backlog import open_counts_rebuild


class Command(BaseCommand):
    help = "Count the open applications afresh into the counts the dashboards read."

    def handle(self, *args, **options):
        self.stdout.write(f"{open_counts_rebuild()} rows of counts written.")
