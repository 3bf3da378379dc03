from celery import shared_task

from .backlog import open_counts_roll_up
from .decisions import decision_days_refresh
from .drafts import application_drafts_purge, application_drafts_remind


@shared_task
def purge_stale_drafts() -> dict:
    """Remind residents of drafts about to be deleted, then delete the expired ones."""
    return {"reminded": application_drafts_remind(), "purged": application_drafts_purge()}


@shared_task
def refresh_decision_days() -> int:
    """Rebuild the summary of the decisions and submissions up to a few minutes ago (a periodic job: every hour, so
    a reader counts at most the last hour or so from the applications, and a lost run costs an hour more)."""
    return decision_days_refresh()


@shared_task
def roll_up_open_counts() -> int:
    """Add the open applications' kept counts up, one row a key (a periodic job: every minute)."""
    return open_counts_roll_up()
