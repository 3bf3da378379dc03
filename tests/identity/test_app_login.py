"""The app's identity sign-in through /api/auth/identity/: start, the provider's page, finish with the code: an
X-Session-Token that works on /api/v1/ like a password login's."""

import pytest
from rest_framework.test import APIClient

from services.identity.models import IdentityLink
from tests.api.problems import assert_problem

from .conftest import APP_REDIRECT, provider_config

pytestmark = pytest.mark.django_db
BASE = "/api/auth/identity"


def app_sign_in(api, idp, sub="demo-adult"):
    started = api.post(f"{BASE}/suishenban/start/")
    assert started.status_code == 200, started.content
    back = idp.choose(started.json()["authorization_url"], sub)
    assert back["location"].startswith(APP_REDIRECT) and back["state"] == started.json()["state"]
    return back, api.post(f"{BASE}/suishenban/finish/", {"state": back["state"], "code": back["code"]}, format="json")


def test_the_app_lists_the_providers(provider):
    body = APIClient().get(f"{BASE}/providers/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body == [{"id": "suishenban", "name": "随申办 Suishenban (demo)", "assurance": "real_name"}]


def test_the_app_signs_in_and_gets_a_session_token_for_the_api(provider, idp):
    """The finished sign-in answers a session token; with it the app reads the verified profile; no cookie."""
    api = APIClient()

    _back, finished = app_sign_in(api, idp)

    assert finished.status_code == 200, finished.content
    assert finished.json()["assurance"] == "real_name"
    assert "sessionid" not in finished.cookies and "csrftoken" not in finished.cookies
    token = finished.json()["session_token"]
    profile = APIClient().get("/api/v1/profile/", HTTP_X_SESSION_TOKEN=token)
    assert profile.status_code == 200
    assert profile.json()["identity_verified"] is True and profile.json()["id_number"] == "310115198503071230"
    assert IdentityLink.objects.get().subject == "demo-adult"


def test_a_finished_state_cannot_be_replayed(provider, idp):
    api = APIClient()
    back, finished = app_sign_in(api, idp)
    assert finished.status_code == 200

    again = api.post(f"{BASE}/suishenban/finish/", {"state": back["state"], "code": back["code"]}, format="json")

    assert_problem(again, 400, "invalid")


def test_a_forged_id_token_is_a_problem_and_no_token(provider, idp):
    idp.control(forge="wrong_aud")

    _back, finished = app_sign_in(APIClient(), idp)

    assert_problem(finished, 400, "identity_login_refused")
    assert not IdentityLink.objects.exists()


def test_a_provider_that_is_down_is_a_503_problem(idp, settings):
    settings.IDENTITY_PROVIDERS = [provider_config(idp, issuer="http://127.0.0.1:9")]

    assert_problem(APIClient().post(f"{BASE}/suishenban/start/"), 503, "provider_unavailable")


def test_bad_input_is_a_problem(provider):
    api = APIClient()

    assert_problem(api.post(f"{BASE}/nobody/start/"), 404)
    assert_problem(api.post(f"{BASE}/suishenban/finish/", {"state": "x"}, format="json"), 400)
    assert_problem(api.post(f"{BASE}/suishenban/finish/", {"state": "x", "code": "y"}, format="json"), 400)


def test_a_signed_in_app_links_the_identity_to_its_account(provider, idp, resident):
    """Finishing with the account's token links the identity to it: no second account."""
    api = APIClient()
    api.force_authenticate(resident)

    _back, finished = app_sign_in(api, idp)

    assert finished.status_code == 200, finished.content
    assert finished.json()["email"] == resident.email and finished.json()["assurance"] == "real_name"
    assert IdentityLink.objects.get().user == resident
