"""The app's whole account life through allauth's headless app API (/api/auth/app/v1/...): sign up, verify the
email, log in (with a TOTP code when the account has one), log out, reset a password, list and end sessions;
tokens that are replaced on every login and expire; strict rate limits answering 429 with Retry-After."""

import re
import time

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.contrib.sessions.backends.cached_db import SessionStore  # settings.SESSION_ENGINE
from django.core import mail
from django.core.cache import cache
from rest_framework.test import APIClient

from services.accounts.models import User

pytestmark = pytest.mark.django_db

AUTH = "/api/auth/app/v1"
PASSWORD = "correct-horse-battery"


def login(client, email, password=PASSWORD):
    return client.post(f"{AUTH}/auth/login", {"email": email, "password": password}, format="json")


def token_of(response) -> str:
    return response.json()["meta"]["session_token"]


def key_from_last_email() -> str:
    return re.search(r"/(?:confirm-email|password/reset/key)/([^/\s]+)/", mail.outbox[-1].body).group(1)


def code_from_last_email() -> str:
    """Return the email verification code (a line of its own, e.g. ``CJTH-VXKN``) of the last email."""
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.M).group(1)


def test_sign_up_verify_the_email_and_use_the_api(anonymous_client):
    """Signing up sends a verification email with a code; verifying with it logs the app in with a working token."""
    signup = anonymous_client.post(
        f"{AUTH}/auth/signup", {"email": "new@example.test", "password": "a-long-new-passphrase"}, format="json"
    )
    pending = token_of(signup)
    key = code_from_last_email()

    verified = anonymous_client.post(
        f"{AUTH}/auth/email/verify", {"key": key}, format="json", HTTP_X_SESSION_TOKEN=pending
    )
    token = token_of(verified)
    profile = anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token)

    assert signup.status_code == 401
    assert [flow["id"] for flow in signup.json()["data"]["flows"] if flow.get("is_pending")] == ["verify_email"]
    assert verified.status_code == 200, verified.content
    assert profile.status_code == 200 and profile.json()["email"] == "new@example.test"


def test_an_unverified_account_cannot_log_in(anonymous_client):
    """Until the email is verified, login only says the verification is pending; there is no usable token. The
    login sends a new code (the sign-up's belongs to the sign-up's session): within the confirm_email limit after
    the last one, that is a 429 with Retry-After, not another email (decisions.md, issue 15)."""
    anonymous_client.post(
        f"{AUTH}/auth/signup", {"email": "late@example.test", "password": "a-long-new-passphrase"}, format="json"
    )
    credentials = {"email": "late@example.test", "password": "a-long-new-passphrase"}

    too_soon = APIClient().post(f"{AUTH}/auth/login", credentials, format="json")
    cache.clear()  # the limit's window has passed
    response = APIClient().post(f"{AUTH}/auth/login", credentials, format="json")

    assert too_soon.status_code == 429 and int(too_soon["Retry-After"]) > 0
    assert response.status_code == 401
    assert [flow["id"] for flow in response.json()["data"]["flows"] if flow.get("is_pending")] == ["verify_email"]
    assert len(mail.outbox) == 2
    assert not User.objects.get(email="late@example.test").emailaddress_set.filter(verified=True).exists()


def test_every_login_gives_a_new_token_and_logout_ends_it(anonymous_client, resident):
    """Two logins give two different tokens; logging out one ends it (401) and leaves the other working."""
    first = token_of(login(APIClient(), resident.email))
    second = token_of(login(APIClient(), resident.email))

    logout = anonymous_client.delete(f"{AUTH}/auth/session", HTTP_X_SESSION_TOKEN=first)

    assert first != second
    assert logout.status_code == 401
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=first).status_code == 401
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=second).status_code == 200


def test_login_with_totp_needs_the_code(anonymous_client, resident):
    """With an authenticator app, the password alone leaves the login pending; the TOTP code completes it."""
    secret = generate_totp_secret()
    TOTP.activate(resident, secret)

    step_one = login(anonymous_client, resident.email)
    pending = token_of(step_one)
    refused = anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=pending)
    code = format(hotp_value(secret, int(time.time()) // 30), "06d")
    step_two = anonymous_client.post(
        f"{AUTH}/auth/2fa/authenticate", {"code": code}, format="json", HTTP_X_SESSION_TOKEN=pending
    )

    assert step_one.status_code == 401
    assert [flow["id"] for flow in step_one.json()["data"]["flows"] if flow.get("is_pending")] == ["mfa_authenticate"]
    assert refused.status_code == 401
    assert step_two.status_code == 200, step_two.content
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token_of(step_two)).status_code == 200


def test_password_reset_by_emailed_key(anonymous_client, resident):
    """Requesting a reset emails a key; resetting with it changes the password, and the new one logs in."""
    requested = anonymous_client.post(f"{AUTH}/auth/password/request", {"email": resident.email}, format="json")
    key = key_from_last_email()

    reset = anonymous_client.post(
        f"{AUTH}/auth/password/reset", {"key": key, "password": "another-long-passphrase"}, format="json"
    )

    assert requested.status_code == 200
    assert reset.status_code in (200, 401), reset.content
    assert login(APIClient(), resident.email, "another-long-passphrase").status_code == 200
    assert login(APIClient(), resident.email).status_code == 400


def test_list_and_end_own_sessions(anonymous_client, resident):
    """The app lists the account's sessions and ends another one, whose token then stops working."""
    mine = token_of(login(APIClient(), resident.email))
    other = token_of(login(APIClient(), resident.email))

    listed = anonymous_client.get(f"{AUTH}/auth/sessions", HTTP_X_SESSION_TOKEN=mine)
    others = [s["id"] for s in listed.json()["data"] if not s["is_current"]]
    ended = anonymous_client.delete(
        f"{AUTH}/auth/sessions", {"sessions": others}, format="json", HTTP_X_SESSION_TOKEN=mine
    )

    assert listed.status_code == 200 and len(listed.json()["data"]) == 2
    assert ended.status_code == 200
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=other).status_code == 401
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=mine).status_code == 200


def test_a_token_expires_after_its_absolute_lifetime(anonymous_client, resident, settings):
    """However active, a token older than API_TOKEN_MAX_AGE_SECONDS is refused: the app logs in again."""
    token = token_of(login(APIClient(), resident.email))
    session = SessionStore(session_key=token)
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    for record in records:
        record["at"] -= settings.API_TOKEN_MAX_AGE_SECONDS + 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()

    response = anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 401
    assert not SessionStore().exists(token)


def test_a_token_expires_after_inactivity(anonymous_client, resident, settings):
    """A token unused for API_TOKEN_IDLE_SECONDS is refused; use moves the expiry on."""
    token = token_of(login(APIClient(), resident.email))
    session = SessionStore(session_key=token)

    assert session.get_expiry_age() == settings.API_TOKEN_IDLE_SECONDS
    session.set_expiry(-1)  # as if API_TOKEN_IDLE_SECONDS had passed without use
    session.save()
    response = anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 401


def test_using_a_token_moves_its_inactivity_expiry_on(anonymous_client, resident, settings):
    """A token close to its inactivity end gets a whole API_TOKEN_IDLE_SECONDS again when the app uses it."""
    token = token_of(login(APIClient(), resident.email))
    session = SessionStore(session_key=token)
    session.set_expiry(30)  # 30 seconds of inactivity left
    session["api_seen_at"] = 0  # last recorded use long ago
    session.save()

    response = anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 200
    assert SessionStore(session_key=token).get_expiry_age() > settings.API_TOKEN_IDLE_SECONDS - 60


def test_an_expired_token_is_refused_by_the_account_api_too(anonymous_client, resident, settings):
    """Past its absolute lifetime allauth's API also answers 410 (token no longer valid): the app logs in again."""
    token = token_of(login(APIClient(), resident.email))
    session = SessionStore(session_key=token)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - settings.API_TOKEN_MAX_AGE_SECONDS - 1}
        for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()

    response = anonymous_client.get(f"{AUTH}/auth/session", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 410  # allauth: "the session token is no longer valid"
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_the_token_of_an_unfinished_login_is_replaced_and_refused_afterwards(anonymous_client, resident):
    """The token given while the TOTP code is pending is replaced when the login completes: the old one is refused,
    so a token seen before the login can never act as the logged-in resident."""
    secret = generate_totp_secret()
    TOTP.activate(resident, secret)
    pending = token_of(login(APIClient(), resident.email))
    code = format(hotp_value(secret, int(time.time()) // 30), "06d")

    completed = APIClient().post(
        f"{AUTH}/auth/2fa/authenticate", {"code": code}, format="json", HTTP_X_SESSION_TOKEN=pending
    )

    assert completed.status_code == 200, completed.content
    assert token_of(completed) != pending
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=pending).status_code == 401
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token_of(completed)).status_code == 200


def test_the_sign_up_token_is_replaced_when_the_email_is_verified(anonymous_client):
    """Verifying the email logs in with a new token; the token the sign-up gave is refused from then on."""
    signup = anonymous_client.post(
        f"{AUTH}/auth/signup", {"email": "swap@example.test", "password": "a-long-new-passphrase"}, format="json"
    )
    pending = token_of(signup)

    verified = anonymous_client.post(
        f"{AUTH}/auth/email/verify", {"key": code_from_last_email()}, format="json", HTTP_X_SESSION_TOKEN=pending
    )

    assert verified.status_code == 200, verified.content
    assert token_of(verified) != pending
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=pending).status_code == 401
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token_of(verified)).status_code == 200


def test_a_second_login_from_the_same_app_needs_a_logout_first(anonymous_client, resident):
    """An app that logs in again while its token is still valid is told 409; after logging out, the new login gives a
    new token and the old one stays refused."""
    first = token_of(login(APIClient(), resident.email))

    again = anonymous_client.post(
        f"{AUTH}/auth/login",
        {"email": resident.email, "password": PASSWORD},
        format="json",
        HTTP_X_SESSION_TOKEN=first,
    )
    anonymous_client.delete(f"{AUTH}/auth/session", HTTP_X_SESSION_TOKEN=first)
    second = token_of(login(APIClient(), resident.email))

    assert again.status_code == 409
    assert second != first
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=first).status_code == 401
    assert anonymous_client.get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=second).status_code == 200


def test_failed_logins_are_throttled_with_retry_after(anonymous_client, resident):
    """After five failed logins for one account, the next is a 429 with Retry-After."""
    for _ in range(5):
        assert login(anonymous_client, resident.email, "wrong-password-1").status_code == 400

    response = login(anonymous_client, resident.email, "wrong-password-1")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_password_reset_requests_are_throttled_with_retry_after(anonymous_client, resident):
    """Reset requests for one address are limited; the extra one is a 429 with Retry-After."""
    statuses = [
        anonymous_client.post(f"{AUTH}/auth/password/request", {"email": resident.email}, format="json")
        for _ in range(6)
    ]

    assert statuses[-1].status_code == 429
    assert int(statuses[-1]["Retry-After"]) > 0
