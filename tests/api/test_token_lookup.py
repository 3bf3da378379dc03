"""A session token is looked up with one read of the session (no separate existence check)."""

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore  # settings.SESSION_ENGINE

pytestmark = pytest.mark.django_db

LOGIN_URL = "/api/auth/app/v1/auth/login"


def test_a_token_is_checked_by_loading_its_session_once(anonymous_client, resident, monkeypatch):
    """A valid token authenticates without SessionStore.exists (a second cache round trip); an unknown one is 401."""
    login = anonymous_client.post(
        LOGIN_URL, {"email": resident.email, "password": "correct-horse-battery"}, format="json"
    )
    token = login.json()["meta"]["session_token"]

    def no_exists(self, session_key):
        raise AssertionError("the token lookup asked exists() first")

    monkeypatch.setattr(SessionStore, "exists", no_exists)
    known = anonymous_client.get("/api/v1/applications/", HTTP_X_SESSION_TOKEN=token)
    unknown = anonymous_client.get("/api/v1/applications/", HTTP_X_SESSION_TOKEN="x" * 32)

    assert known.status_code == 200
    assert unknown.status_code == 401
