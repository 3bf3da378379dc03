"""Throttling: too many requests are answered 429 with Retry-After and a problem body."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

from .problems import assert_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    """Throttle at 2 anonymous and 3 authenticated requests a minute.

    DRF copies the rates onto the throttle class when it is imported, so overriding settings would not reach them.
    """
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min"})


def test_anonymous_caller_is_throttled(anonymous_client, low_rates):
    """An anonymous caller over the rate gets 429, told when to retry."""
    answers = [anonymous_client.get("/api/v1/services/") for _ in range(3)]

    assert [response.status_code for response in answers[:2]] == [200, 200]
    assert_problem(answers[2], 429, code="throttled")
    assert 0 < int(answers[2]["Retry-After"]) <= 60


def test_each_resident_has_their_own_allowance(resident_client, low_rates):
    """A resident over the rate gets 429 while another resident is still served."""
    answers = [resident_client.get("/api/v1/applications/") for _ in range(4)]
    other_client = APIClient()
    other_client.force_authenticate(UserFactory())

    assert [response.status_code for response in answers[:3]] == [200, 200, 200]
    assert_problem(answers[3], 429, code="throttled")
    assert int(answers[3]["Retry-After"]) > 0
    assert other_client.get("/api/v1/applications/").status_code == 200
