"""allauth's emails leave through the notifications' email queue: a mail server that refuses connections no longer
turns a sign-up or a password reset into a 500 (they were sent inside the request)."""

import logging
import socket

import pytest
from django.core import mail
from django.urls import reverse

from portal.celery import app as celery_app
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-enough-passphrase-2026"


@pytest.fixture
def smtp_refused(settings):
    """Django's SMTP backend pointed at a port where nothing listens; tasks in-process as in the embedded mode
    (a failing task does not fail its caller)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


def test_sign_up_and_password_reset_answer_while_the_mail_server_refuses(client, smtp_refused, caplog):
    """Both go on to their next page; the delivery task failed (and is retried by the queue), nothing was sent."""
    resident = UserFactory()
    with caplog.at_level(logging.INFO):
        signup = client.post(
            reverse("account_signup"), {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD}
        )
        reset = client.post(reverse("account_reset_password"), {"email": resident.email})

    assert signup.status_code == 302 and reset.status_code == 302
    assert mail.outbox == []
    failures = [r for r in caplog.records if "send_account_email" in r.getMessage() and r.levelno >= logging.WARNING]
    assert failures, [r.getMessage() for r in caplog.records]


def test_the_verification_email_is_sent_by_the_task(client):
    """With the mail server up, the sign-up's verification email goes out (through the task), in both formats."""
    client.post(reverse("account_signup"), {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD})

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.test"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
