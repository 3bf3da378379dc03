"""The cache's Redis unreachable (a failover takes seconds): pages and the API answer as usual, sessions come from
the database and the throttles let requests through uncounted, instead of a 500 for every resident meanwhile."""

import socket

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_cache(settings):
    """The cache as portal/settings/core.py configures a Redis one (tests/test_redis_settings.py), on a port where
    nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/1",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }


def test_anonymous_api_and_a_signed_in_page_answer_without_the_cache(unreachable_cache, client, service, resident):
    assert APIClient().get("/api/v1/services/").status_code == 200  # throttled and cached through Redis

    client.force_login(resident)  # the session is written to the database; the cache's copy is skipped
    assert client.get("/applications/").status_code == 200
