"""API v1 passes by the middleware only the web's pages need (portal/middleware.py); pages still go through them."""

import pytest
from django.middleware.csrf import CsrfViewMiddleware

from portal.middleware import web_only
from services.accounts.models import ResidentProfile

pytestmark = pytest.mark.django_db


def test_an_api_request_passes_by_the_flash_messages(client, resident):
    """An API v1 request gets no flash-message storage; a page of the same browser does, and still speaks the
    profile's language, as the API does for a browser signed in on the web (tests/api/test_catalogue_cache.py)."""
    ResidentProfile.objects.create(user=resident, preferred_language="en")
    client.force_login(resident)

    api = client.get("/api/v1/services/")
    page = client.get("/")

    assert api.status_code == 200 and not hasattr(api.wsgi_request, "_messages")
    assert api["Content-Language"] == "en"
    assert page.status_code == 200 and hasattr(page.wsgi_request, "_messages")


def test_a_middleware_with_hooks_of_its_own_cannot_be_passed_by():
    """CSRF's check runs in process_view, which Django calls apart from the middleware's call: refused."""
    with pytest.raises(TypeError):
        web_only(CsrfViewMiddleware)
