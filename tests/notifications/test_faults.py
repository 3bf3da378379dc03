"""Faults at the edge: the inbox never waits for a gateway, each channel has its own queue, a hanging SMS gateway
times out quickly and then has its circuit opened (its messages go by email at once), a message left "sending" by
a lost worker is sent again within a minute, a sweep never piles up copies, and old messages are purged."""

import datetime as dt
import time

import pytest
from django.core import mail
from django.utils import timezone

from services.notifications.actions import notification_deliver, notifications_purge, notify
from services.notifications.channels import TemporaryFailure
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.notifications.tasks import sweep_undelivered
from tests.factories import ResidentProfileFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {"reference": "HLT-2026-000001", "service": {"zh": "家庭医生签约", "en": "Family doctor registration"},
           "department": "", "due_date": "", "path": "/applications/x/"}  # fmt: skip


@pytest.fixture
def sms_and_email_resident():
    return ResidentProfileFactory(preferred_language="en", phone="13900139000", notify_by_sms=True).user


def test_the_inbox_is_delivered_at_once_and_each_channel_has_its_own_queue(
    sms_and_email_resident, django_capture_on_commit_callbacks
):
    """The inbox's row is delivered as it is made (no task to wait behind a gateway); email and SMS are one message
    each, on notifications.email and notifications.sms."""
    with django_capture_on_commit_callbacks() as callbacks:
        created = notify(event=Event.SUBMITTED, event_key="k:1", recipients=[sms_and_email_resident], payload=PAYLOAD)

    statuses = {n.channel: n.status for n in Notification.objects.all()}
    assert len(created) == 3
    assert statuses == {
        Channel.IN_APP: DeliveryStatus.SENT,
        Channel.EMAIL: DeliveryStatus.PENDING,
        Channel.SMS: DeliveryStatus.PENDING,
    }
    assert sorted(callback.keywords["queue"] for callback in callbacks) == ["notifications.email", "notifications.sms"]


def test_a_hanging_sms_gateway_times_out_then_its_circuit_opens_and_email_takes_over(
    sms_gateway, settings, django_capture_on_commit_callbacks
):
    """Each attempt on a gateway that never answers gives up after SMS_GATEWAY_TIMEOUT_SECONDS; after
    GATEWAY_CIRCUIT_FAILURES of them the gateway is left alone: the next SMS fails at once and is sent by email."""
    sms_gateway.hang = True
    settings.SMS_GATEWAY_TIMEOUT_SECONDS, settings.GATEWAY_CIRCUIT_FAILURES = 0.3, 2
    residents = [
        ResidentProfileFactory(phone="13900139000", notify_by_sms=True, notify_by_email=False, id_number=None).user
        for _ in range(3)
    ]
    for n, resident in enumerate(residents):
        notify(event=Event.SUBMITTED, event_key=f"k:{n}", recipients=[resident], payload=PAYLOAD)
    sms = [Notification.objects.get(recipient=resident, channel=Channel.SMS) for resident in residents]

    timings = []
    for notification in sms[:2]:
        started = time.monotonic()
        with pytest.raises(TemporaryFailure):
            notification_deliver(notification_id=notification.pk)
        timings.append(time.monotonic() - started)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        notification_deliver(notification_id=sms[2].pk)
    open_circuit = time.monotonic() - started

    assert all(0.25 < seconds < 2 for seconds in timings), timings
    assert open_circuit < 0.25
    assert len(sms_gateway.received) == 2  # the third never reached the gateway
    sms[2].refresh_from_db()
    assert sms[2].status == DeliveryStatus.FAILED and "circuit open" in sms[2].last_error
    fallback = Notification.objects.get(recipient=residents[2], channel=Channel.EMAIL)
    assert fallback.status == DeliveryStatus.SENT and len(mail.outbox) == 1


def test_the_circuit_closes_again_after_its_pause(sms_gateway, settings):
    """Once GATEWAY_CIRCUIT_OPEN_SECONDS have passed, the gateway is tried again, and a success resets the count."""
    settings.GATEWAY_CIRCUIT_FAILURES, settings.GATEWAY_CIRCUIT_OPEN_SECONDS = 1, 1
    sms_gateway.statuses = [503]
    resident = ResidentProfileFactory(
        phone="13900139000", notify_by_sms=True, notify_by_email=False, id_number=None
    ).user
    for n in range(3):
        notify(event=Event.SUBMITTED, event_key=f"c:{n}", recipients=[resident], payload=PAYLOAD)
    first, second, third = Notification.objects.filter(channel=Channel.SMS).order_by("event_key")

    with pytest.raises(TemporaryFailure):
        notification_deliver(notification_id=first.pk)  # 503: the circuit opens
    notification_deliver(notification_id=second.pk)  # failed at once, to the fallback
    time.sleep(1.1)
    notification_deliver(notification_id=third.pk)

    assert Notification.objects.get(pk=second.pk).status == DeliveryStatus.FAILED
    assert Notification.objects.get(pk=third.pk).status == DeliveryStatus.SENT
    assert len(sms_gateway.received) == 2


def test_a_message_left_sending_is_sent_again_within_a_minute(sms_and_email_resident, settings):
    """A row left "sending" by a worker (or a database) lost mid-send is claimable after its 30-second lease, and
    the sweep (every 30 s) sends it; one claimed 10 s ago is left alone."""
    notify(event=Event.SUBMITTED, event_key="k:s", recipients=[sms_and_email_resident], payload=PAYLOAD)
    now = timezone.now()
    Notification.objects.filter(channel=Channel.EMAIL).update(
        status=DeliveryStatus.SENDING, claimed_at=now - dt.timedelta(seconds=31)
    )
    Notification.objects.filter(channel=Channel.SMS).update(
        status=DeliveryStatus.SENDING, claimed_at=now - dt.timedelta(seconds=10)
    )

    first = sweep_undelivered.apply().get()
    again = sweep_undelivered.apply().get()

    assert (first, again) == (1, 0)
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.status == DeliveryStatus.SENT and len(mail.outbox) == 1
    assert Notification.objects.get(channel=Channel.SMS).status == DeliveryStatus.SENDING
    assert settings.CELERY_BEAT_SCHEDULE["notifications-sweep"]["schedule"] <= 30


def test_old_finished_notifications_are_purged_and_the_rest_kept(sms_and_email_resident, settings):
    """Sent or failed rows untouched for NOTIFICATION_RETENTION_DAYS go, batch by batch; pending and recent stay."""
    settings.NOTIFICATION_RETENTION_DAYS = 30
    for n in range(5):
        notify(event=Event.SUBMITTED, event_key=f"p:{n}", recipients=[sms_and_email_resident], payload=PAYLOAD)
    old = timezone.now() - dt.timedelta(days=31)
    Notification.objects.filter(event_key__in=["p:0", "p:1", "p:2"]).update(updated_at=old)
    Notification.objects.filter(event_key="p:0", channel=Channel.EMAIL).update(status=DeliveryStatus.FAILED)

    purged = notifications_purge(batch=2)

    assert purged == 4  # p:0's inbox and failed email, p:1's and p:2's inboxes
    assert Notification.objects.count() == 15 - 4
    assert Notification.objects.filter(event_key="p:1", channel=Channel.EMAIL).exists()  # old but never sent
    assert not Notification.objects.filter(event_key__in=["p:0", "p:1", "p:2"], channel=Channel.IN_APP).exists()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "services.notifications.tasks.purge_old_notifications" in tasks
