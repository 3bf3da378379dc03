from celery import shared_task

from .actions import acknowledgements_escalate


@shared_task
def escalate_unacknowledged() -> int:
    """Escalate the changes of circumstances a department left unacknowledged too long (idempotent)."""
    return acknowledgements_escalate()
