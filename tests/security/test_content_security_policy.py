"""The site's Content Security Policy, built once per process (services/common/headers.py), is django-csp's own."""

import pytest
from csp.utils import build_policy

pytestmark = pytest.mark.django_db

POLICY = {"DIRECTIVES": {"default-src": ["'self'"], "img-src": ["'self'", "https://maps.example"]}}


def directives(header: str) -> set[str]:
    return {part.strip() for part in header.split(";")}


@pytest.mark.parametrize("path", ["/", "/api/v1/services/"])
def test_pages_and_the_api_send_the_sites_policy(client, path):
    """A page and an API response carry the policy django-csp builds from the settings."""
    response = client.get(path)

    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == directives(build_policy())


def test_a_view_with_its_own_policy_keeps_it(client):
    """Redoc's page allows inline styles and blob workers (its csp_update), every other page does not."""
    redoc = client.get("/api/redoc/")["Content-Security-Policy"]

    assert "'unsafe-inline'" in redoc and "blob:" in redoc
    assert "'unsafe-inline'" not in client.get("/")["Content-Security-Policy"]


def test_a_changed_policy_is_sent_at_once(client, settings):
    """The policy kept per process follows the settings (and a report-only policy is sent beside it)."""
    client.get("/")  # the policy of the settings before the change is built and kept
    settings.CONTENT_SECURITY_POLICY = POLICY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = POLICY

    response = client.get("/")

    expected = {"default-src 'self'", "img-src 'self' https://maps.example"}
    assert directives(response["Content-Security-Policy"]) == expected
    assert directives(response["Content-Security-Policy-Report-Only"]) == expected
