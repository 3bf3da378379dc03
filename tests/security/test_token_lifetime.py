"""Tokens end when they should: every app token carries its issue time and ends API_TOKEN_MAX_AGE_SECONDS after
it, whatever handed it out (the email verification of a sign-up has no login of its own to count from)."""

import time

import pytest

from tests.api.test_auth_flows import AUTH, code_from_last_email, login, token_of

pytestmark = pytest.mark.django_db

PROFILE = "/api/v1/profile/"


def test_token_from_email_verification_ends_at_the_absolute_limit(anonymous_client, settings):
    """The token the sign-up's email verification hands out is refused once its absolute lifetime has passed."""
    signup = anonymous_client.post(
        f"{AUTH}/auth/signup", {"email": "new@example.test", "password": "a-long-new-passphrase"}, format="json"
    )
    verified = anonymous_client.post(
        f"{AUTH}/auth/email/verify",
        {"key": code_from_last_email()},
        format="json",
        HTTP_X_SESSION_TOKEN=token_of(signup),
    )
    token = token_of(verified)
    assert anonymous_client.get(PROFILE, HTTP_X_SESSION_TOKEN=token).status_code == 200

    settings.API_TOKEN_MAX_AGE_SECONDS = 2
    time.sleep(2.2)

    assert anonymous_client.get(PROFILE, HTTP_X_SESSION_TOKEN=token).status_code == 401


def test_token_from_login_ends_at_the_absolute_limit(anonymous_client, resident, settings):
    """A login's token, used all along, ends at the same absolute limit."""
    token = token_of(login(anonymous_client, resident.email))
    assert anonymous_client.get(PROFILE, HTTP_X_SESSION_TOKEN=token).status_code == 200

    settings.API_TOKEN_MAX_AGE_SECONDS = 2
    time.sleep(2.2)

    assert anonymous_client.get(PROFILE, HTTP_X_SESSION_TOKEN=token).status_code == 401
