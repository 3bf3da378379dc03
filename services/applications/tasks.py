from celery import shared_task

from .drafts import application_drafts_purge, application_drafts_remind


@shared_task
def purge_stale_drafts() -> dict:
    """Remind residents of drafts about to be deleted, then delete the expired ones."""
    return {"reminded": application_drafts_remind(), "purged": application_drafts_purge()}
