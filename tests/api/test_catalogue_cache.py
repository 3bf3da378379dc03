"""The API's catalogue is served from the cache for CATALOGUE_CACHE_SECONDS, per language and URL."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached_catalogue(settings):
    settings.CATALOGUE_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def test_a_repeated_catalogue_request_reads_no_database(cached_catalogue, health, django_assert_num_queries):
    """The second identical request is answered from the cache, with the same body and ETag."""
    service = ServiceFactory(department=health)
    client = APIClient()
    first = client.get("/api/v1/services/")

    with django_assert_num_queries(0):
        second = client.get("/api/v1/services/")

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert service.slug in second.content.decode()


def test_each_language_and_query_is_cached_apart(cached_catalogue, health):
    """Chinese and English, and each search, have their own cached answers."""
    ServiceFactory(department=health, title_zh="失业保险金申领", title_en="Unemployment insurance benefit")
    client = APIClient()

    chinese = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    searched = client.get("/api/v1/services/?q=nothing-matches", HTTP_ACCEPT_LANGUAGE="en").json()

    assert "失业保险金申领" in chinese and "Unemployment insurance benefit" in english
    assert searched == []


def test_a_cached_answer_still_honours_if_none_match(cached_catalogue, health):
    """A client holding the current ETag gets 304 from the cached answer too."""
    ServiceFactory(department=health)
    client = APIClient()
    etag = client.get("/api/v1/services/")["ETag"]

    assert client.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_anonymous_reads_are_answered_from_a_copy_of_the_whole_response(cached_catalogue, health):
    """The second anonymous read is the first response again, headers included, without touching the session."""
    ServiceFactory(department=health)
    client = APIClient()
    first = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en")
    second = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en")

    assert second.content == first.content
    assert {name: first[name] for name in ("ETag", "Vary", "Content-Language", "X-Frame-Options")} == {
        name: second[name] for name in ("ETag", "Vary", "Content-Language", "X-Frame-Options")
    }
    assert "Accept-Language" in second["Vary"] and second["Content-Language"] == "en"
    assert not second.cookies


def test_a_signed_in_reader_is_not_served_the_anonymous_copy(cached_catalogue, health, client):
    """A resident signed in on the web reads the catalogue in the profile's language, not the anonymous copy's."""
    from tests.factories import ResidentProfileFactory

    ServiceFactory(department=health, title_zh="失业保险金申领", title_en="Unemployment insurance benefit")
    anonymous = APIClient().get("/api/v1/services/").content.decode()  # Chinese, the default, now kept
    client.force_login(ResidentProfileFactory(preferred_language="en").user)

    signed_in = client.get("/api/v1/services/").content.decode()

    assert "失业保险金申领" in anonymous
    assert "Unemployment insurance benefit" in signed_in


def test_the_copy_honours_if_none_match_and_the_throttle(cached_catalogue, health, monkeypatch):
    """A cached copy is a 304 for its own ETag, and still counts against the anonymous rate."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/min", "user": "100/min"})
    ServiceFactory(department=health)
    client = APIClient()
    etag = client.get("/api/v1/services/")["ETag"]
    again = client.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag)
    copy = client.get("/api/v1/services/")
    over = client.get("/api/v1/services/")

    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert copy.status_code == 200
    assert over.status_code == 429 and int(over["Retry-After"]) > 0
