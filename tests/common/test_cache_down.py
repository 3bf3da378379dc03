"""The cache (Redis in full mode) down: signed-in pages and API calls still answer, sessions are read from the
database, and a throttle that cannot count lets the request through and says so in the log."""

import logging
import socket

import pytest
from django.test import Client

from portal.settings.core import REDIS_CACHE_OPTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_down(settings):
    """The production cache settings pointed at a port where no Redis listens (connection refused)."""
    with socket.socket() as probe:  # a port free now: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": REDIS_CACHE_OPTIONS,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_signed_in_web_pages_and_api_calls_answer_while_the_cache_is_down(cache_down, resident, caplog):
    """Signing in, a resident's page and an API call with the app's session token all answer 200 with the cache
    unreachable; the throttle's lost count is logged, never a 500."""
    browser = Client()
    browser.force_login(resident)  # the session is saved to the database; the cache's copy is dropped
    token = browser.session.session_key

    with caplog.at_level(logging.WARNING):
        page = browser.get("/applications/")
        api = Client().get("/api/v1/applications/", HTTP_X_SESSION_TOKEN=token)
        anonymous = Client().get("/api/v1/services/")

    assert page.status_code == 200
    assert page.context["user"] == resident
    assert api.status_code == 200, api.content
    assert anonymous.status_code == 200
    assert "throttle could not count (cache down): request let through" in caplog.messages
