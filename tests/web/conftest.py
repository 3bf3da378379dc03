import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with no rate-limit counters left by another test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def en_client(client):
    """A browser that chose English (Django's language cookie)."""
    client.cookies["django_language"] = "en"
    return client
