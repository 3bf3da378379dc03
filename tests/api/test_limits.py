"""Limits: conditional GET on the catalogue, request bodies capped with a 413 problem, page sizes capped."""

import pytest

from tests.factories import ApplicationFactory

from .problems import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/services/", "/api/v1/services/{slug}/"])
def test_catalogue_answers_304_to_a_matching_etag(anonymous_client, service, url):
    """The catalogue list and detail carry an ETag; sending it back gets a 304 with no body."""
    url = url.format(slug=service.slug)

    first = anonymous_client.get(url)
    again = anonymous_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"].startswith('"')
    assert "Accept-Language" in first["Vary"]
    assert again.status_code == 304 and again.content == b""


def test_the_etag_changes_with_the_content_and_the_language(anonymous_client, service):
    """A changed service or another language is a new ETag, so a stale copy is never kept."""
    english = anonymous_client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en")
    chinese = anonymous_client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    service.title_en = "Renamed"
    service.save()
    changed = anonymous_client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=english["ETag"])

    assert english["ETag"] != chinese["ETag"]
    assert changed.status_code == 200 and changed["ETag"] != english["ETag"]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_body_over_the_cap_is_413(resident_client, settings, service, language):
    """A JSON body bigger than DATA_UPLOAD_MAX_MEMORY_SIZE is refused unread with a 413 problem."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = resident_client.post(
        "/api/v1/applications/",
        {"service": service.slug, "answers": {"full_name": "x" * 2000}},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    body = assert_problem(response, 413, "too_large")
    assert body["detail"] == {"en": "The request body is too large.", "zh-hans": "请求内容过大。"}[language]


def test_page_size_is_capped_at_100(resident_client, resident):
    """Asking for 1,000 per page gets at most 100."""
    ApplicationFactory.create_batch(101, applicant=resident)

    response = resident_client.get("/api/v1/applications/?page_size=1000")

    assert len(response.json()["results"]) == 100
