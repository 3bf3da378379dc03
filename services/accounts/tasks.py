import datetime as dt

from celery import shared_task
from django.conf import settings

from services.common.tasks import publish_again

from .actions import data_export_build, data_export_purge_expired, sessions_purge_expired
from .selectors import stalled_data_export_ids


@shared_task
def build_data_export(export_id: int) -> None:
    """Build one resident's data export zip (a redelivered message finds it done and does nothing)."""
    data_export_build(export_id=export_id)


@shared_task
def purge_expired_exports() -> int:
    """Delete data exports past their expiry, with their zips."""
    return data_export_purge_expired()


@shared_task
def purge_expired_sessions() -> int:
    """Delete web sessions and app tokens past their expiry."""
    return sessions_purge_expired()


@shared_task
def sweep_data_exports() -> int:
    """Publish the build again for data exports whose message was lost or whose worker died mid-build."""
    ids = stalled_data_export_ids(older_than=dt.timedelta(seconds=settings.DATA_EXPORT_SWEEP_AFTER_SECONDS))
    for export_id in ids:
        publish_again(build_data_export, export_id)
    return len(ids)
