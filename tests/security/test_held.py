"""Checks the review found holding, kept here with the others so a new page cannot reopen them: CSRF on every web
form post, the Host header checked, a strict Content Security Policy on every page, redirects kept to the portal.
The routes come from the URL configuration."""

import pytest
from django.test import Client

from .routes import plain_routes

pytestmark = pytest.mark.django_db

WEB_ROUTES = [path for path in plain_routes() if not path.startswith(("/api/", "/healthz"))]
EVIL = "https://evil.example/steal"


@pytest.mark.parametrize("path", WEB_ROUTES)
def test_every_web_post_needs_its_csrf_token(path, resident):
    """A form post from another site (no CSRF token) is refused on every web route, signed in."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)

    assert client.post(path, {"x": "1"}).status_code == 403


def test_an_unknown_host_is_refused(client):
    """A Host header the portal does not serve is a 400 (no poisoned links in emails or redirects)."""
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400


@pytest.mark.parametrize("path", plain_routes())
def test_every_page_has_a_strict_content_security_policy(path, client):
    """Nothing is loaded from another origin, no inline script runs, no page can be framed."""
    response = client.get(path)
    policy = response.get("Content-Security-Policy", "")

    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        script = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script


@pytest.mark.parametrize(
    ("path", "data"), [("/elder-mode/", {"elder_mode": "1"}), ("/i18n/setlang/", {"language": "en"})]
)
def test_a_switch_never_redirects_to_another_site(path, data, client):
    """The header's switches go back to the page they came from, never to an address on another site."""
    response = client.post(path, {**data, "next": EVIL})

    assert response.status_code == 302 and not response.url.startswith("https://evil.example")


def test_sign_in_never_redirects_to_another_site(client, resident):
    response = client.post(
        f"/accounts/login/?next={EVIL}", {"login": resident.email, "password": "correct-horse-battery"}
    )

    assert response.status_code == 302 and not response.url.startswith("https://evil.example")
