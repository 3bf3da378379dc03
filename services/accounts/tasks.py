from celery import shared_task

from .actions import data_export_build, data_export_purge_expired


@shared_task
def build_data_export(export_id: int) -> None:
    """Build one resident's data export zip (a redelivered message finds it done and does nothing)."""
    data_export_build(export_id=export_id)


@shared_task
def purge_expired_exports() -> int:
    """Delete data exports past their expiry, with their zips."""
    return data_export_purge_expired()
