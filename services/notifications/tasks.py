import datetime as dt

from celery import shared_task
from django.conf import settings

from services.common.tasks import RetryingTask, publish_again

from .actions import account_email_send, channel_queue, notification_deliver, notifications_purge, sending_lease
from .selectors import undelivered_notifications


@shared_task(base=RetryingTask, retry_setting="NOTIFICATION_TASK_RETRY")
def deliver_notification(notification_id: int) -> None:
    """Send one notification through its channel, once, however often this task is delivered."""
    notification_deliver(notification_id=notification_id)


@shared_task(base=RetryingTask, retry_setting="NOTIFICATION_TASK_RETRY")
def deliver_notifications(notification_ids: list[int]) -> None:
    """Send one event's notifications (one message for all of them), each once; a failure of one is retried
    after the others were tried, and a retry sends only those not sent yet."""
    failure = None
    for notification_id in notification_ids:
        try:
            notification_deliver(notification_id=notification_id)
        except Exception as exc:  # noqa: BLE001 - the rest are tried first, then the task retries
            failure = failure or exc
    if failure is not None:
        raise failure


@shared_task
def sweep_undelivered() -> int:
    """Publish delivery again for notifications whose message was lost or whose worker died mid-send."""
    older_than = dt.timedelta(seconds=settings.NOTIFICATION_SWEEP_AFTER_SECONDS)
    notifications = undelivered_notifications(older_than=older_than, sending_lease=sending_lease())
    for notification in notifications:
        publish_again(deliver_notification, notification.pk, queue=channel_queue(notification.channel))
    return len(notifications)


@shared_task
def purge_old_notifications() -> int:
    """Delete notifications sent or failed longer ago than NOTIFICATION_RETENTION_DAYS."""
    return notifications_purge()


@shared_task(base=RetryingTask, retry_setting="NOTIFICATION_TASK_RETRY")
def send_account_email(message: dict) -> None:
    """Send one of allauth's account emails (services/accounts/adapter.py), retried while the mail server is down."""
    account_email_send(message=message)
