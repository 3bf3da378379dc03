"""Events become notifications in the recipient's language, through the channels they chose, each sent once,
with retries for temporary failures and a fallback channel for permanent ones."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from services.applications.models import Status
from services.applications.workflow import application_transition
from services.notifications.actions import notification_deliver, notify
from services.notifications.channels import CHANNELS, TemporaryFailure
from services.notifications.models import Channel, DeliveryStatus, Event, Notification
from services.notifications.rendering import render_message
from services.notifications.tasks import deliver_notification, sweep_undelivered
from tests.factories import ApplicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


class RefusingEmailBackend(BaseEmailBackend):
    """A mail server that refuses every recipient (a permanent failure)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.test": (550, b"no such user")})


class DownEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


def submit(application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return application_transition(application=application, to=Status.SUBMITTED, by=application.applicant)


def test_submission_tells_the_resident_in_chinese_by_email_and_in_the_inbox(
    zh_resident, service, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(applicant=zh_resident, service=service)

    submit(application, django_capture_on_commit_callbacks)

    notifications = Notification.objects.filter(recipient=zh_resident)
    assert {(n.event, n.channel, n.status) for n in notifications} == {
        (Event.SUBMITTED, Channel.IN_APP, DeliveryStatus.SENT),
        (Event.SUBMITTED, Channel.EMAIL, DeliveryStatus.SENT),
    }
    [email] = mail.outbox
    assert email.to == [zh_resident.email]
    assert email.subject == f"我们已收到您的申请 {application.reference}"
    assert service.title_zh in email.body and f"/applications/{application.public_id}/" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and '<html lang="zh-Hans">' in html and application.reference in html
    email_notification = notifications.get(channel=Channel.EMAIL)
    assert email.extra_headers["Message-ID"] == f"<{email_notification.public_id}@127.0.0.1>"


def test_the_same_event_is_worded_in_english_for_an_english_reader(
    en_resident, service, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(applicant=en_resident, service=service)

    submit(application, django_capture_on_commit_callbacks)

    [email] = mail.outbox
    assert email.subject == f"We received your application {application.reference}"
    assert f"“{service.title_en}”" in email.body
    assert '<html lang="en">' in email.alternatives[0][0]


def test_a_decision_carries_its_reason_escaped_in_html(en_resident, service, health_caseworker,
                                                       django_capture_on_commit_callbacks):  # fmt: skip
    application = ApplicationFactory(applicant=en_resident, service=service, in_review=True, assignee=health_caseworker)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(
            application=application, to=Status.REJECTED, by=health_caseworker, message="Income <b>above</b> limit"
        )

    [email] = mail.outbox
    assert email.subject == f"Your application {application.reference} was not approved"
    assert "The reason: Income <b>above</b> limit" in email.body
    assert "Income &lt;b&gt;above&lt;/b&gt; limit" in email.alternatives[0][0]


def test_moves_the_resident_need_not_hear_of_send_nothing(en_resident, service, health_caseworker,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    application = ApplicationFactory(applicant=en_resident, service=service, routed=True)

    with django_capture_on_commit_callbacks(execute=True):
        application_transition(application=application, to=Status.IN_REVIEW, by=health_caseworker)

    assert not Notification.objects.exists() and not mail.outbox


def test_nothing_is_sent_when_the_transition_rolls_back(en_resident, service, django_capture_on_commit_callbacks):
    """The messages are created in the transition's transaction and published only after it commits."""
    application = ApplicationFactory(applicant=en_resident, service=service)

    with django_capture_on_commit_callbacks() as callbacks:
        application_transition(application=application, to=Status.SUBMITTED, by=en_resident)

    assert dict(Notification.objects.values_list("channel", "status")) == {
        Channel.IN_APP: DeliveryStatus.SENT,  # the inbox's is delivered as it is made
        Channel.EMAIL: DeliveryStatus.PENDING,
    }
    assert len(callbacks) == 1 and not mail.outbox  # the email's delivery message


def test_a_redelivered_task_never_sends_twice(en_resident, django_capture_on_commit_callbacks):
    [in_app, email] = sorted(
        notify(event=Event.SUBMITTED, event_key="k:1", recipients=[en_resident], payload=payload()),
        key=lambda n: n.channel == Channel.EMAIL,
    )

    first = notification_deliver(notification_id=email.pk)
    again = notification_deliver(notification_id=email.pk)

    assert first.status == DeliveryStatus.SENT and again is None
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=email.pk).attempts == 1


def test_notifying_the_same_event_again_adds_nothing(en_resident):
    assert len(notify(event=Event.SUBMITTED, event_key="k:1", recipients=[en_resident], payload=payload())) == 2

    assert notify(event=Event.SUBMITTED, event_key="k:1", recipients=[en_resident], payload=payload()) == []
    assert Notification.objects.count() == 2


def test_channels_follow_the_preferences(en_resident):
    profile = en_resident.profile
    profile.notify_by_email, profile.notify_by_sms = False, True
    profile.save()
    staff = StaffFactory()

    created = notify(event=Event.OVERDUE, event_key="k:2", recipients=[en_resident, staff], payload=payload())

    assert {(n.recipient, n.channel) for n in created} == {
        (en_resident, Channel.IN_APP),
        (en_resident, Channel.SMS),
        (staff, Channel.IN_APP),
        (staff, Channel.EMAIL),  # staff have no profile: the inbox and email
    }


def test_sms_through_the_http_gateway(en_resident, sms_gateway, django_capture_on_commit_callbacks):
    en_resident.profile.notify_by_sms = True
    en_resident.profile.save()

    with django_capture_on_commit_callbacks(execute=True):
        notify(event=Event.SUBMITTED, event_key="k:3", recipients=[en_resident], payload=payload())

    sms = Notification.objects.get(channel=Channel.SMS)
    assert sms.status == DeliveryStatus.SENT
    assert sms_gateway.received == [
        {
            "auth": "Bearer gateway-token",
            "to": "13900139000",
            "reference": str(sms.public_id),
            "text": "[Shanghai One-Stop] We received your application HLT-2026-000001 "
            "http://127.0.0.1:8000/applications/x/",
        }
    ]


def test_a_temporary_failure_is_retried_then_falls_back(
    en_resident, sms_gateway, settings, django_capture_on_commit_callbacks
):
    """A gateway answering 503 leaves the SMS pending for a retry; the last allowed attempt fails it and the
    message goes by email instead."""
    en_resident.profile.notify_by_email, en_resident.profile.notify_by_sms = False, True
    en_resident.profile.save()
    sms_gateway.status = 503
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    [sms] = [n for n in notify(event=Event.SUBMITTED, event_key="k:4", recipients=[en_resident], payload=payload())
             if n.channel == Channel.SMS]  # fmt: skip

    with pytest.raises(TemporaryFailure):
        notification_deliver(notification_id=sms.pk)
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (DeliveryStatus.PENDING, 1, "SMS gateway: HTTP 503")

    with django_capture_on_commit_callbacks(execute=True):
        notification_deliver(notification_id=sms.pk)  # the last attempt

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, 2)
    email = Notification.objects.get(channel=Channel.EMAIL)
    assert email.status == DeliveryStatus.SENT  # the fallback, delivered after commit
    assert len(mail.outbox) == 1


def test_delivery_retries_follow_the_settings_when_it_runs(
    en_resident, sms_gateway, settings, task_retries, django_capture_on_commit_callbacks
):
    """NOTIFICATION_MAX_ATTEMPTS and NOTIFICATION_TASK_RETRY are read when a delivery fails, not when the task was
    declared: 3 attempts, retried after 7 then 14 seconds, then the SMS fails and the email goes instead."""
    en_resident.profile.notify_by_email, en_resident.profile.notify_by_sms = False, True
    en_resident.profile.save()
    sms_gateway.status = 503
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    settings.NOTIFICATION_TASK_RETRY = {**settings.NOTIFICATION_TASK_RETRY, "retry_backoff": 7, "retry_jitter": False}
    [sms] = [n for n in notify(event=Event.SUBMITTED, event_key="k:9", recipients=[en_resident], payload=payload())
             if n.channel == Channel.SMS]  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        deliver_notification.apply(args=[sms.pk])

    sms.refresh_from_db()
    assert task_retries == [7, 14]
    assert (sms.status, sms.attempts, len(sms_gateway.received)) == (DeliveryStatus.FAILED, 3, 3)
    assert Notification.objects.get(channel=Channel.EMAIL).status == DeliveryStatus.SENT


def test_a_permanent_sms_failure_falls_back_to_email(en_resident, sms_gateway, django_capture_on_commit_callbacks):
    en_resident.profile.notify_by_email, en_resident.profile.notify_by_sms = False, True
    en_resident.profile.save()
    sms_gateway.status = 400

    notify(event=Event.SUBMITTED, event_key="k:5", recipients=[en_resident], payload=payload())
    with django_capture_on_commit_callbacks(execute=True):
        notification_deliver(notification_id=Notification.objects.get(channel=Channel.SMS).pk)

    sms = Notification.objects.get(channel=Channel.SMS)
    assert (sms.status, sms.attempts) == (DeliveryStatus.FAILED, 1)
    assert "HTTP 400" in sms.last_error
    assert Notification.objects.get(channel=Channel.EMAIL).status == DeliveryStatus.SENT


def test_a_refused_email_address_falls_back_to_sms(en_resident, settings, capsys, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.RefusingEmailBackend"

    notify(event=Event.SUBMITTED, event_key="k:6", recipients=[en_resident], payload=payload())
    with django_capture_on_commit_callbacks(execute=True):
        notification_deliver(notification_id=Notification.objects.get(channel=Channel.EMAIL).pk)

    assert Notification.objects.get(channel=Channel.EMAIL).status == DeliveryStatus.FAILED
    assert Notification.objects.get(channel=Channel.SMS).status == DeliveryStatus.SENT
    assert "SMS to 13900139000" in capsys.readouterr().out  # the console backend


def test_fallback_stops_when_every_channel_failed(zh_resident, settings, django_capture_on_commit_callbacks):
    """No mobile number and a refused email: both fail once, no loop; the inbox still has it."""
    zh_resident.profile.phone = ""
    zh_resident.profile.save()
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.RefusingEmailBackend"

    notify(event=Event.SUBMITTED, event_key="k:7", recipients=[zh_resident], payload=payload())
    with django_capture_on_commit_callbacks(execute=True):
        notification_deliver(notification_id=Notification.objects.get(channel=Channel.EMAIL).pk)

    assert dict(Notification.objects.values_list("channel", "status")) == {
        Channel.IN_APP: DeliveryStatus.SENT,
        Channel.EMAIL: DeliveryStatus.FAILED,
        Channel.SMS: DeliveryStatus.FAILED,
    }
    assert Notification.objects.get(channel=Channel.SMS).last_error == "no mobile number in the profile"


def test_the_sweep_publishes_what_was_left_undelivered(en_resident, settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.DownEmailBackend"
    notify(event=Event.SUBMITTED, event_key="k:8", recipients=[en_resident], payload=payload())  # never published
    settings.NOTIFICATION_SWEEP_AFTER_SECONDS = -1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    assert sweep_undelivered.apply().get() == 1  # the email (the inbox's was delivered as it was made)

    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 1


ABOUT_THE_ACCOUNT = {
    Event.ID_NUMBER_RELEASED, Event.ID_NUMBER_CONFIRMED, Event.MANDATE_CHANGED, Event.ENTITLEMENT_OFFERED,
    Event.DOCUMENT_REFUSED,
}  # fmt: skip


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("event", list(Event))
def test_every_event_has_its_words_in_both_languages(event, language):
    """Each event's template gives a subject, a body, a plain-text and an HTML email and an SMS, in each language."""
    overdue = [{"reference": "HLT-2026-000001", "service": payload()["service"], "due_date": "2026-12-01"}]
    notification = Notification(
        event=event,
        payload={**payload(), "approved": True, "message": "msg", "deadline": "2026-12-01", "comment": "slow",
                 "applications": overdue},
    )  # fmt: skip

    message = render_message(notification=notification, language=language)

    assert message.subject and "\n" not in message.subject
    # The overdue notice lists a department's applications: its subject names the department.
    subject_names = "市卫生健康委员会" if language == "zh-hans" else "Municipal Health Commission"
    if (
        event not in ABOUT_THE_ACCOUNT
    ):  # those about the ID number, a mandate, an offer or a document name no application
        assert (subject_names if event == Event.OVERDUE else "HLT-2026-000001") in message.subject
    assert "HLT-2026-000001" in message.body or event != Event.OVERDUE
    assert message.body and "{" not in message.body
    assert message.body in message.text and message.subject in message.html
    assert message.sms.startswith("【一网通办】" if language == "zh-hans" else "[Shanghai One-Stop]")
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in message.subject)
    assert cjk == (language == "zh-hans") or event in (Event.BAD_RATING, Event.OVERDUE) and language == "en"


def payload() -> dict:
    return {
        "reference": "HLT-2026-000001",
        "service": {"zh": "家庭医生签约", "en": "Family doctor registration"},
        "department": {"zh": "市卫生健康委员会", "en": "Municipal Health Commission"},
        "due_date": "2026-12-31",
        "path": "/applications/x/",
    }


def test_every_channel_is_one_registry_entry():
    """Each channel says, in one place, how it sends, who wants it and where it falls back to (never itself)."""
    assert set(CHANNELS) == set(Channel)
    assert all(
        channel not in spec.fallback and set(spec.fallback) <= set(Channel) for channel, spec in CHANNELS.items()
    )
