import datetime as dt

from celery import shared_task
from django.conf import settings

from services.common.tasks import publish, publish_again

from .actions import bulk_job_run
from .selectors import stalled_bulk_job_ids


@shared_task
def run_bulk_job(job_id: int) -> None:
    """Run a bulk action's waiting items for a while, then publish the rest as a new message (a redelivered message
    finds done items done)."""
    if bulk_job_run(job_id=job_id):
        publish(run_bulk_job, (job_id,))


@shared_task
def sweep_bulk_jobs() -> int:
    """Publish again the bulk actions left unfinished and untouched (a lost message, or a worker that died)."""
    ids = stalled_bulk_job_ids(older_than=dt.timedelta(seconds=settings.SWEEP_REPUBLISH_AFTER_SECONDS))
    for job_id in ids:
        publish_again(run_bulk_job, job_id)
    return len(ids)
