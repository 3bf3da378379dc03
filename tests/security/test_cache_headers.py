"""Nothing personal is kept by a shared cache, the browser's powerful features are off, the portal's cookies are
Secure under HTTPS. Pages and endpoints come from the URL configuration (the query-count tables, which are checked
against it, give each one's arguments)."""

import subprocess
import sys

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bench.tools import _session_for
from tests.api.test_query_counts import CALLS
from tests.test_deploy import ROOT, production_env
from tests.web.test_query_counts import PAGES

from .routes import plain_routes

pytestmark = pytest.mark.django_db

# The catalogue states its own: public, the same for everyone, kept by any cache but asked for again (ETag).
PUBLIC_CATALOGUE = {("services", "get"), ("service", "get")}
CAMERA_PAGES = {"/documents/"}  # the upload lets a phone take a photo
# The departments' public keys state their own: the same for everyone, no personal data, kept for 5 minutes.
PUBLIC_PAGES = {"credentials:jwks": "public, max-age=300"}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_signed_in_web_page_is_private_no_store(name, client, counted_world):
    """Every resident page, signed in, is ``Cache-Control: private, no-store``: no proxy keeps a resident's page."""
    page = PAGES[name]
    client.force_login(counted_world.resident)

    response = getattr(client, page.method)(reverse(name, kwargs=page.kwargs(counted_world)), page.data(counted_world))

    assert response.status_code == page.status
    # The file downloads state their own "no-store" (nothing may keep them, private cache included).
    assert response["Cache-Control"] in (
        ("private, no-store", "no-store") if name not in PUBLIC_PAGES else (PUBLIC_PAGES[name],)
    )


@pytest.mark.parametrize(("name", "method"), sorted(CALLS))
def test_api_answer_is_private_no_store_and_varies_on_the_token(name, method, counted_world):
    """Every /api/v1/ answer to the app varies on X-Session-Token and is ``private, no-store`` (the public
    catalogue excepted: ``no-cache``, the same content for everyone, revalidated by its ETag)."""
    call = CALLS[name, method]
    client = APIClient(headers={"x-session-token": _session_for(counted_world.resident)})
    url = reverse(f"api:{name}", kwargs=call.kwargs(counted_world))
    data = call.data(counted_world) if call.data else None
    call.prepare(counted_world)

    response = getattr(client, method)(url, data, format=None if call.multipart else "json")

    assert response.status_code == call.status
    assert "X-Session-Token" in response["Vary"]
    expected = "no-cache" if (name, method) in PUBLIC_CATALOGUE else "private, no-store"
    assert response["Cache-Control"] in (expected, "no-store"), response["Cache-Control"]


@pytest.mark.parametrize("path", plain_routes())
def test_every_page_has_a_cache_control_and_a_permissions_policy(path, client):
    """Every route (anonymous: a sign-in form carries the visitor's CSRF token) says how it may be cached, and
    refuses the camera, microphone, location and the other powerful features (the upload's camera: below)."""
    response = client.get(path)

    assert response.status_code < 500
    assert response.has_header("Cache-Control")
    policy = response["Permissions-Policy"]
    assert "microphone=()" in policy and "geolocation=()" in policy
    assert path in CAMERA_PAGES or "camera=()" in policy


def test_upload_page_allows_the_camera(client, resident):
    """The document wallet (its upload takes a photo on a phone) allows the camera to the portal itself."""
    client.force_login(resident)

    assert "camera=(self)" in client.get("/documents/")["Permissions-Policy"]


def test_cookies_are_secure_under_https():
    """Under the production settings every cookie the portal sets (language, elder mode) is Secure."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='portal.example')\n"
        "for path, data in (('/i18n/setlang/', {'language': 'en'}), ('/elder-mode/', {'elder_mode': '1'})):\n"
        "    for cookie in client.post(path, data, secure=True).cookies.values():\n"
        "        print(cookie.key, bool(cookie['secure']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert sorted(result.stdout.split("\n")) == ["", "django_language True", "elder_mode True"]
