import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Start every API test with empty throttle counters (they live in the cache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def resident_client(resident):
    client = APIClient()
    client.force_authenticate(resident)
    return client
