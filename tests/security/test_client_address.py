"""One notion of the client's address (TRUSTED_PROXY_COUNT, 0 by default) drives the API's throttles, allauth's rate
limits and the audit log: with no proxy configured X-Forwarded-For is ignored, behind one only the address the proxy
appended counts."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

from services.common.http import client_address

pytestmark = pytest.mark.django_db

LOGIN = "/api/auth/app/v1/auth/login"


def test_forged_forwarded_addresses_meet_the_anonymous_limit(anonymous_client, monkeypatch):
    """130 anonymous requests, each claiming another address in X-Forwarded-For, meet the anonymous limit of 120
    (an hour's window here, so that no window ends during the test)."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "120/hour", "user": "600/hour"})

    statuses = [
        anonymous_client.get("/api/v1/services/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code
        for n in range(130)
    ]

    assert statuses.count(429) == 10


def test_behind_a_proxy_the_address_it_appended_is_throttled(anonymous_client, settings, monkeypatch):
    """Behind one proxy the address it appended is counted, whatever the client wrote before it."""
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min"})

    def get(forged: str, real: str) -> int:
        return anonymous_client.get("/api/v1/services/", HTTP_X_FORWARDED_FOR=f"{forged}, {real}").status_code

    assert [get(f"10.0.0.{n}", "203.0.113.7") for n in range(3)] == [200, 200, 429]
    assert get("10.0.0.9", "203.0.113.8") == 200


def test_allauth_rate_limits_count_the_address_the_proxy_saw(anonymous_client, resident, settings):
    """allauth's failed-login limit per address counts the address the proxy appended: another client behind the
    same proxy can still sign in."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "3/m/ip"}

    def fail(real: str) -> int:
        body = {"email": f"nobody-{real}@example.test", "password": "wrong-password-here"}
        return anonymous_client.post(LOGIN, body, format="json", HTTP_X_FORWARDED_FOR=f"10.0.0.1, {real}").status_code

    assert [fail("203.0.113.7") for _ in range(4)][-1] == 429
    assert fail("203.0.113.8") == 400


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        pytest.param(0, "203.0.113.7", "127.0.0.1", id="no-proxy-header-ignored"),
        pytest.param(1, "10.0.0.1, 203.0.113.7", "203.0.113.7", id="one-proxy"),
        pytest.param(2, "10.0.0.1, 203.0.113.7, 192.0.2.1", "203.0.113.7", id="two-proxies"),
        pytest.param(1, "", "127.0.0.1", id="no-header-the-socket"),
    ],
)
def test_client_address_reads_only_what_trusted_proxies_added(proxies, forwarded, expected, rf, settings):
    """The one function every counter and the audit log use."""
    settings.TRUSTED_PROXY_COUNT = proxies

    assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR=forwarded)) == expected
