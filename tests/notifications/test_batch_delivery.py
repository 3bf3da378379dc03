"""One event's notifications go out in one task: each is tried, a failure is retried, a retry resends none."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from services.notifications.actions import notify
from services.notifications.channels import TemporaryFailure
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.notifications.tasks import deliver_notifications

pytestmark = pytest.mark.django_db

PAYLOAD = {"reference": "HLT-2026-000001", "service": {"zh": "家庭医生签约", "en": "Family doctor registration"},
           "department": "", "due_date": "", "path": "/applications/x/"}  # fmt: skip


class DownEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


def test_one_event_is_one_delivery_message(en_resident, django_capture_on_commit_callbacks):
    """The inbox and the email of one event are published as one task."""
    with django_capture_on_commit_callbacks() as callbacks:
        created = notify(event=Event.SUBMITTED, event_key="k:1", recipients=[en_resident], payload=PAYLOAD)

    assert len(created) == 2 and len(callbacks) == 1


def test_a_failing_email_does_not_hold_back_the_inbox_and_is_retried(en_resident, settings):
    """The inbox is delivered though the email fails; the task raises (to retry), and the retry sends only the
    email, once."""
    created = notify(event=Event.SUBMITTED, event_key="k:2", recipients=[en_resident], payload=PAYLOAD)
    ids = [n.pk for n in sorted(created, key=lambda n: n.channel != Channel.EMAIL)]  # the failing email first
    settings.EMAIL_BACKEND = "tests.notifications.test_batch_delivery.DownEmailBackend"

    with pytest.raises(TemporaryFailure):
        deliver_notifications.run(ids)
    statuses = dict(Notification.objects.filter(pk__in=ids).values_list("channel", "status"))
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_notifications.run(ids)

    assert statuses == {Channel.IN_APP: DeliveryStatus.SENT, Channel.EMAIL: DeliveryStatus.PENDING}
    assert set(Notification.objects.filter(pk__in=ids).values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 1
