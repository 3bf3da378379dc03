"""Push messages go to the phones a resident registered, through the push gateway: once per message, in their
language, retried while the gateway is down or slow, and failed without fallback when it refuses (the inbox
has the message anyway)."""

import time

import pytest
from rest_framework.test import APIClient

from services.accounts.models import Device
from services.applications.models import Status
from services.applications.workflow import application_transition
from services.notifications.actions import notification_deliver, notify
from services.notifications.channels import TemporaryFailure
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.notifications.tasks import deliver_notification
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "reference": "HLT-2026-000001",
    "service": {"zh": "家庭医生签约", "en": "Family doctor registration"},
    "path": "/applications/x/",
}


def register_phones(user, *tokens) -> None:
    """Register the resident's phones as the app does."""
    client = APIClient()
    client.force_authenticate(user)
    for token in tokens:
        assert client.post("/api/v1/devices/", {"platform": "ios", "token": token}, format="json").status_code == 201


def push_of(user, event_key="k:1") -> Notification:
    [push] = [n for n in notify(event=Event.SUBMITTED, event_key=event_key, recipients=[user], payload=PAYLOAD)
              if n.channel == Channel.PUSH]  # fmt: skip
    return push


def test_a_resident_without_a_registered_phone_gets_no_push(en_resident):
    created = notify(event=Event.SUBMITTED, event_key="k:1", recipients=[en_resident], payload=PAYLOAD)

    assert {n.channel for n in created} == {Channel.IN_APP, Channel.EMAIL}


@pytest.mark.parametrize(
    ("who", "subject", "words"),
    [
        ("zh_resident", "我们已收到您的申请 {reference}", "家庭医生"),
        ("en_resident", "We received your application {reference}", "Family doctor registration"),
    ],
)
def test_an_event_is_pushed_once_to_all_the_residents_phones_in_their_language(
    request, who, subject, words, service, push_gateway, django_capture_on_commit_callbacks
):
    """One request to the gateway carries every registered phone's token, the subject and body in the resident's
    language, the message's reference (the same on a retry) and the page to open; a redelivery pushes nothing."""
    resident = request.getfixturevalue(who)
    register_phones(resident, "apns-phone", "apns-tablet")
    service.title_zh, service.title_en = "家庭医生签约", "Family doctor registration"
    service.save()
    application = ApplicationFactory(applicant=resident, service=service)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=application, to=Status.SUBMITTED, by=resident)

    push = Notification.objects.get(recipient=resident, channel=Channel.PUSH)
    assert (push.status, push.attempts) == (DeliveryStatus.SENT, 1)
    [received] = push_gateway.received
    assert received.pop("body").count(words) == 1
    assert received == {
        "auth": "Bearer push-token",
        "tokens": ["apns-phone", "apns-tablet"],
        "title": subject.format(reference=application.reference),
        "reference": str(push.public_id),
        "path": f"/applications/{application.public_id}/",
    }

    assert notification_deliver(notification_id=push.pk) is None
    assert len(push_gateway.received) == 1


@pytest.mark.parametrize("status", [400, 404, 410])
def test_a_refused_push_fails_for_good_without_fallback(zh_resident, push_gateway, status,
                                                        django_capture_on_commit_callbacks):  # fmt: skip
    """A 4xx (a token the platform no longer knows) is not tried again, and no other channel is woken: the
    resident's inbox and the channels they chose already have the message."""
    register_phones(zh_resident, "fcm-old")
    push = push_of(zh_resident)
    push_gateway.status = status

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification_deliver(notification_id=push.pk)

    push.refresh_from_db()
    assert (push.status, push.attempts) == (DeliveryStatus.FAILED, 1)
    assert push.last_error == f"Push gateway refused the message: HTTP {status}"
    assert not callbacks  # no fallback published
    assert set(Notification.objects.values_list("channel", flat=True)) == {Channel.IN_APP, Channel.EMAIL, Channel.PUSH}
    assert len(push_gateway.received) == 1


@pytest.mark.parametrize("status", [500, 503, 408, 429])
def test_a_gateway_error_is_retried_with_the_same_reference(zh_resident, push_gateway, status):
    """5xx, 408 and 429 are temporary: the delivery task tries again, and the retry is the same message."""
    register_phones(zh_resident, "apns-phone")
    push = push_of(zh_resident)
    push_gateway.statuses = [status]  # then 202

    deliver_notification.apply(args=[push.pk], throw=False)  # in-process, the retry runs at once

    push.refresh_from_db()
    assert (push.status, push.attempts, push.last_error) == (DeliveryStatus.SENT, 2, "")
    first, retry = push_gateway.received
    assert first == retry and first["reference"] == str(push.public_id)


def test_a_gateway_that_hangs_times_out(zh_resident, push_gateway, settings):
    """A gateway that takes the request and never answers costs PUSH_GATEWAY_TIMEOUT_SECONDS, then the message
    waits for its retry."""
    settings.PUSH_GATEWAY_TIMEOUT_SECONDS = 0.5
    register_phones(zh_resident, "apns-phone")
    push = push_of(zh_resident)
    push_gateway.hang = True

    started = time.monotonic()
    with pytest.raises(TemporaryFailure):
        notification_deliver(notification_id=push.pk)
    waited = time.monotonic() - started

    assert 0.4 < waited < 5
    push.refresh_from_db()
    assert (push.status, push.attempts) == (DeliveryStatus.PENDING, 1)
    assert push.last_error == "Push gateway: no answer within 0.5 s"
    assert len(push_gateway.received) == 1


def test_switched_off_push_is_neither_made_nor_sent(zh_resident, push_gateway, settings):
    """PUSH_ENABLED=false: new messages get no push; one made before is not sent (and falls back nowhere)."""
    register_phones(zh_resident, "apns-phone")
    made_before = push_of(zh_resident, event_key="k:1")
    settings.PUSH_ENABLED = False

    created = notify(event=Event.SUBMITTED, event_key="k:2", recipients=[zh_resident], payload=PAYLOAD)
    notification_deliver(notification_id=made_before.pk)

    assert Channel.PUSH not in {n.channel for n in created}
    made_before.refresh_from_db()
    assert (made_before.status, made_before.last_error) == (
        DeliveryStatus.FAILED,
        "push is switched off (PUSH_ENABLED)",
    )
    assert not push_gateway.received


def test_a_phone_unregistered_before_sending_gets_nothing(zh_resident, push_gateway):
    register_phones(zh_resident, "apns-phone")
    push = push_of(zh_resident)
    client = APIClient()
    client.force_authenticate(zh_resident)
    device = Device.objects.get(token="apns-phone")
    assert client.delete(f"/api/v1/devices/{device.public_id}/").status_code == 204

    notification_deliver(notification_id=push.pk)

    push.refresh_from_db()
    assert (push.status, push.last_error) == (DeliveryStatus.FAILED, "no registered device")
    assert not push_gateway.received


def test_the_console_backend_prints_the_push(en_resident, settings, capsys):
    """Development's default: the push is printed (a worker's log shows it) and counts as sent."""
    settings.PUSH_BACKEND = "console"
    register_phones(en_resident, "apns-phone")
    push = push_of(en_resident)

    notification_deliver(notification_id=push.pk)

    push.refresh_from_db()
    assert push.status == DeliveryStatus.SENT
    assert f"Push to 1 device(s) [{push.public_id}]: We received your application HLT-2026-000001" in (
        capsys.readouterr().out
    )
