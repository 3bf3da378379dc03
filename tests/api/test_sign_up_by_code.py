"""App sign-up verifies the email with a short code typed in the app, in the request's language, end to end through
allauth's app API: sign up → the code in the email → verify → a session token that opens the portal's API. The
code is sent once at sign-up; a new one may be asked for (twice at most), no sooner than allauth's confirm_email
limit allows (429 with Retry-After), and it replaces the old one. The web keeps its verification link."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.api.test_auth_flows import AUTH, code_from_last_email, token_of

pytestmark = pytest.mark.django_db

NEW = {"email": "xiaoming@example.test", "password": "a-long-new-passphrase"}


@pytest.fixture
def app():
    return APIClient()


def sign_up(app, language="zh-hans"):
    response = app.post(f"{AUTH}/auth/signup", NEW, format="json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 401  # the login waits for the verification
    pending = [flow["id"] for flow in response.json()["data"]["flows"] if flow.get("is_pending")]
    assert pending == ["verify_email"]
    return token_of(response)


def verify(app, token, code):
    return app.post(f"{AUTH}/auth/email/verify", {"key": code}, format="json", HTTP_X_SESSION_TOKEN=token)


@pytest.mark.parametrize(
    ("language", "subject", "words"),
    [
        ("zh-hans", "【一网通办】请确认您的电子邮箱地址", "请在注册页面输入以下验证码完成确认："),
        ("en", "[Shanghai One-Stop] Confirm your email address", "To confirm it, enter this code where you signed up:"),
    ],
)
def test_sign_up_the_code_in_the_email_verify_and_a_session_token(app, language, subject, words):
    pending = sign_up(app, language)

    email = mail.outbox[-1]
    assert len(mail.outbox) == 1 and email.to == [NEW["email"]]
    assert email.subject == subject and words in email.body
    assert "/confirm-email/" not in email.body  # no link the app would have to cut a key out of
    verified = verify(app, pending, code_from_last_email())

    assert verified.status_code == 200, verified.content
    token = token_of(verified)
    assert token != pending
    profile = app.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token)
    assert profile.status_code == 200 and profile.json()["email"] == NEW["email"]


def test_the_app_is_told_that_it_verifies_by_code(app):
    config = app.get(f"{AUTH}/config").json()

    assert config["data"]["account"]["email_verification_by_code_enabled"] is True


def test_a_wrong_code_is_refused_and_the_right_one_still_works(app):
    pending = sign_up(app)
    code = code_from_last_email()

    wrong = verify(app, pending, "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB")
    right = verify(app, pending, code)

    assert wrong.status_code == 400
    assert right.status_code == 200, right.content


def test_a_new_code_waits_for_the_limit_then_replaces_the_old_one(app):
    """Asked for at once, a new code is a 429 with Retry-After (the code just sent still works); once the limit has
    passed (its counters cleared, as three minutes would), a new code comes and the old one no longer verifies."""
    pending = sign_up(app)
    first = code_from_last_email()

    too_soon = app.post(f"{AUTH}/auth/email/verify/resend", HTTP_X_SESSION_TOKEN=pending)
    assert too_soon.status_code == 429 and int(too_soon["Retry-After"]) > 0
    assert len(mail.outbox) == 1

    cache.clear()  # the confirm_email limit's window has passed
    again = app.post(f"{AUTH}/auth/email/verify/resend", HTTP_X_SESSION_TOKEN=pending)
    second = code_from_last_email()

    assert again.status_code == 200, again.content
    assert len(mail.outbox) == 2 and second != first
    assert verify(app, pending, first).status_code == 400
    assert verify(app, pending, second).status_code == 200


def test_the_web_sign_up_keeps_its_verification_link(client):
    response = client.post(
        "/accounts/signup/", {"email": NEW["email"], "password1": NEW["password"], "password2": NEW["password"]}
    )

    assert response.status_code == 302
    assert re.search(r"/accounts/confirm-email/[^/\s]+/", mail.outbox[-1].body)
