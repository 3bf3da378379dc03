"""Bad input is a 4xx everywhere, never a 500: a NUL character in any address, oversize and deeply nested bodies
sent to allauth's app API. The routes come from the URL configuration."""

import json

import pytest

from tests.api.problems import assert_problem

from .routes import plain_routes

pytestmark = pytest.mark.django_db

AUTH_API_POSTS = [path for path in plain_routes() if path.startswith("/api/auth/app/")]


@pytest.mark.parametrize("path", plain_routes())
def test_nul_in_the_query_string_is_a_400(path, client):
    """``?q=%00`` (PostgreSQL cannot compare text holding NUL) is refused on every route: a problem body under
    /api/, a page saying what went wrong elsewhere. /api/v1/ checks its parameters with serializers, which answer a
    NUL in one of them as a field error (tests/api/test_bad_input.py) and ignore parameters they do not take."""
    response = client.get(path + "?q=%00")

    if path.startswith("/api/v1/"):
        assert response.status_code < 500
    elif path.startswith("/api/"):
        assert_problem(response, 400, "bad_request")
    else:
        assert response.status_code == 400


def test_nul_in_a_catalogue_search_is_a_page_in_the_visitors_language(en_client):
    """The search that was a 500 on PostgreSQL says, in the visitor's language, what to do."""
    response = en_client.get("/services/", {"q": "unemployment\x00"})

    assert response.status_code == 400
    assert "could not read this request" in response.content.decode()


@pytest.mark.parametrize("path", AUTH_API_POSTS)
def test_allauth_api_body_over_the_cap_is_a_413_problem(path, client, settings):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE sent to allauth's app API is a 413 problem, as in the portal's API."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = client.post(path, json.dumps({"email": "a" * 2000}), content_type="application/json")

    assert_problem(response, 413, "too_large")


@pytest.mark.parametrize("path", AUTH_API_POSTS)
def test_allauth_api_deeply_nested_json_is_a_400_problem(path, client):
    """JSON nested deeper than Python's parser can read is a 400 problem, not a 500."""
    response = client.post(path, "[" * 100_000 + "]" * 100_000, content_type="application/json")

    assert_problem(response, 400, "parse_error")


def test_the_auth_routes_were_found():
    """The walk found allauth's app API (a broken walk would test nothing)."""
    assert "/api/auth/app/v1/auth/login" in AUTH_API_POSTS
