"""Authentication: allauth's app login gives a session token that the API accepts; no token is a 401."""

import pytest

from tests.factories import ApplicationFactory

from .problems import assert_problem

pytestmark = pytest.mark.django_db

LOGIN_URL = "/api/auth/app/v1/auth/login"


def test_app_login_token_authenticates_api_requests(anonymous_client, resident):
    """A verified resident logs in with email and password and lists their applications with X-Session-Token."""
    # given
    mine = ApplicationFactory(applicant=resident)
    ApplicationFactory()

    # when
    login = anonymous_client.post(
        LOGIN_URL, {"email": resident.email, "password": "correct-horse-battery"}, format="json"
    )
    token = login.json()["meta"]["session_token"]
    response = anonymous_client.get("/api/v1/applications/", HTTP_X_SESSION_TOKEN=token)

    # then
    assert login.status_code == 200
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(mine.public_id)]


def test_wrong_password_gets_no_token(anonymous_client, resident):
    """A wrong password is refused by the login endpoint and yields no session token."""
    login = anonymous_client.post(LOGIN_URL, {"email": resident.email, "password": "wrong-password-1"}, format="json")

    assert login.status_code == 400
    assert "session_token" not in login.json().get("meta", {})


@pytest.mark.parametrize("token", [None, "not-a-real-token"], ids=["no-token", "unknown-token"])
def test_unauthenticated_request_is_401_with_challenge(anonymous_client, token):
    """Without a valid session token the API answers 401 with WWW-Authenticate: X-Session-Token and a problem body."""
    headers = {"HTTP_X_SESSION_TOKEN": token} if token else {}

    response = anonymous_client.get("/api/v1/applications/", **headers)

    assert_problem(response, 401, code="not_authenticated")
    assert response["WWW-Authenticate"] == "X-Session-Token"


def test_logged_out_token_is_401(anonymous_client, resident):
    """After logging out, the old session token no longer authenticates (401)."""
    login = anonymous_client.post(
        LOGIN_URL, {"email": resident.email, "password": "correct-horse-battery"}, format="json"
    )
    token = login.json()["meta"]["session_token"]

    logout = anonymous_client.delete("/api/auth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    response = anonymous_client.get("/api/v1/applications/", HTTP_X_SESSION_TOKEN=token)

    assert logout.status_code == 401  # allauth answers a logout with "no longer authenticated"
    assert_problem(response, 401, code="not_authenticated")
