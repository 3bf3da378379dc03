"""Sign in on the web with the demo identity provider (a real subprocess): code flow with PKCE, state and nonce,
ID tokens checked against the provider's JWKS, private_key_jwt, logout, and every way the answer can be bad."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse

from services.accounts.models import ResidentProfile
from services.identity.models import Assurance, IdentityLink
from services.notifications.models import Event, Notification
from tests.factories import ResidentProfileFactory, StaffFactory, UserFactory
from tests.web.html import assert_accessible

from .conftest import WEB_CALLBACK, provider_config

pytestmark = pytest.mark.django_db
ADULT_ID = "310115198503071230"


def start(client, query: str = "") -> str:
    response = client.get(f"/identity/suishenban/login/{query}")
    assert response.status_code == 302, response.content
    return response.url


def sign_in(client, idp, sub: str = "demo-adult", query: str = ""):
    """Go to the provider, choose ``sub`` there, come back; return the portal's answer to the callback."""
    back = idp.choose(start(client, query), sub)
    assert back["location"].startswith(WEB_CALLBACK)
    return client.get(urlsplit(back["location"]).path, {"code": back["code"], "state": back["state"]})


def signed_in_user(client):
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id) if user_id else None


def test_the_authorization_request_carries_pkce_state_and_nonce(client, provider):
    """The provider is asked for a code with an S256 challenge, a fresh state and a nonce, for the configured
    client and the portal's callback."""
    query = parse_qs(urlsplit(start(client)).query)

    assert query["response_type"] == ["code"] and query["client_id"] == ["portal"]
    assert query["redirect_uri"] == [WEB_CALLBACK] and "openid" in query["scope"][0].split()
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert parse_qs(urlsplit(start(client)).query)["state"] != query["state"]


def test_a_first_sign_in_makes_an_account_with_the_verified_facts_locked(client, provider, idp):
    """The person the provider vouches for gets an account, signed in, with the provider's name, ID number and
    date of birth in the profile, verified; the link records issuer, subject, level and attributes."""
    response = sign_in(client, idp, query="?next=/profile/")

    assert response.status_code == 302 and response.url == "/profile/"
    user = signed_in_user(client)
    profile = ResidentProfile.objects.get(user=user)
    assert (profile.legal_name, profile.id_number, str(profile.date_of_birth)) == ("张伟", ADULT_ID, "1985-03-07")
    assert profile.identity_verified_at is not None
    link = IdentityLink.objects.get(user=user)
    assert (link.issuer, link.subject, link.assurance) == (idp.url, "demo-adult", Assurance.REAL_NAME)
    assert link.verified_attributes["resident_id"] == ADULT_ID
    assert user.email == "zhang.wei@idp.demo" and not user.has_usable_password()


def test_the_same_identity_comes_back_to_the_same_account(client, provider, idp):
    sign_in(client, idp)
    first = signed_in_user(client)
    client.logout()

    sign_in(client, idp)

    assert signed_in_user(client) == first
    assert IdentityLink.objects.count() == 1


def test_private_key_jwt_client_authentication(client, idp, settings):
    """With a private key configured the portal authenticates to the token endpoint by a signed assertion."""
    settings.IDENTITY_PROVIDERS = [provider_config(idp, jwt=True)]

    response = sign_in(client, idp)

    assert response.status_code == 302 and signed_in_user(client) is not None


def test_a_wrong_client_secret_is_refused_with_a_clear_page(client, idp, settings):
    settings.IDENTITY_PROVIDERS = [provider_config(idp, client_secret="wrong")]

    response = sign_in(client, idp)

    assert response.status_code == 400 and signed_in_user(client) is None


@pytest.mark.parametrize("forgery", ["alg_none", "bad_signature", "expired", "wrong_aud", "wrong_iss", "wrong_nonce"])
def test_a_bad_id_token_signs_nobody_in(client, provider, idp, forgery):
    """An ID token unsigned (alg none), signed by a key not the provider's, expired, for another client, from
    another issuer or with another login's nonce is refused: nobody is signed in, no account or link is made."""
    idp.control(forge=forgery)

    response = sign_in(client, idp)

    assert response.status_code == 400
    assert signed_in_user(client) is None
    assert not IdentityLink.objects.exists() and not get_user_model().objects.exists()


def test_a_replayed_state_is_refused(client, provider, idp):
    """The provider's answer works once: the same callback again (state and code) is an error page."""
    back = idp.choose(start(client))
    path = urlsplit(back["location"]).path
    assert client.get(path, {"code": back["code"], "state": back["state"]}).status_code == 302
    client.logout()

    again = client.get(path, {"code": back["code"], "state": back["state"]})

    assert again.status_code == 400 and signed_in_user(client) is None


def test_a_code_used_twice_is_refused(client, provider, idp):
    """A code already exchanged, brought back with a fresh state of this browser, is refused by the provider."""
    back = idp.choose(start(client))
    path = urlsplit(back["location"]).path
    client.get(path, {"code": back["code"], "state": back["state"]})
    client.logout()
    fresh_state = parse_qs(urlsplit(start(client)).query)["state"][0]

    response = client.get(path, {"code": back["code"], "state": fresh_state})

    assert response.status_code == 400 and signed_in_user(client) is None


def test_an_answer_for_another_browser_is_refused(client, provider, idp):
    """A state this browser never started (login CSRF) signs nobody in."""
    back = idp.choose(start(client))
    other = type(client)()

    response = other.get(urlsplit(back["location"]).path, {"code": back["code"], "state": back["state"]})

    assert response.status_code == 400 and signed_in_user(other) is None


def test_a_rotated_signing_key_is_fetched_again(client, provider, idp):
    """After the provider rotates its key, the first token signed with the new one makes the portal fetch the
    JWKS again instead of refusing it."""
    sign_in(client, idp)
    client.logout()
    new_kid = idp.control(rotate=True)["kid"]

    response = sign_in(client, idp)

    assert response.status_code == 302 and signed_in_user(client) is not None
    assert new_kid


def test_a_provider_that_is_down_gets_a_clear_page_and_email_sign_in_still_works(client, idp, settings):
    settings.IDENTITY_PROVIDERS = [provider_config(idp, issuer="http://127.0.0.1:9")]

    response = client.get("/identity/suishenban/login/")

    assert response.status_code == 503
    assert_accessible(HttpResponse(response.content))  # the page's basics, whatever its status
    html = response.content.decode()
    assert "/accounts/login/" in html
    user = UserFactory()
    assert client.login(email=user.email, password="correct-horse-battery")


def test_an_unknown_provider_is_a_404(client, provider):
    assert client.get("/identity/nobody/login/").status_code == 404


def test_a_verified_sign_in_takes_the_id_number_over_from_an_unverified_claim(client, provider, idp):
    """Someone typed the adult's ID number first: it is removed from their profile, they are told, and the
    verified identity's account holds it."""
    squatter = ResidentProfileFactory(id_number=ADULT_ID)

    sign_in(client, idp)

    squatter.refresh_from_db()
    assert squatter.id_number is None
    assert ResidentProfile.objects.get(user=signed_in_user(client)).id_number == ADULT_ID
    assert Notification.objects.filter(recipient=squatter.user, event=Event.ID_NUMBER_RELEASED).exists()
    confirmed = Notification.objects.get(
        recipient=signed_in_user(client), event=Event.ID_NUMBER_CONFIRMED, channel="in_app"
    )
    assert confirmed.payload == {"path": "/profile/"}  # names nobody: neither the other account nor the number


def test_an_email_account_of_the_same_address_is_not_merged_silently(client, provider, idp):
    """The provider's email belongs to an existing account: the identity gets an account of its own, and the
    email account is untouched (its owner can link the identity from inside)."""
    existing = UserFactory(email="zhang.wei@idp.demo")

    sign_in(client, idp)

    user = signed_in_user(client)
    assert user != existing and user.email.endswith("@identity.invalid")
    assert not IdentityLink.objects.filter(user=existing).exists()


def test_a_signed_in_email_account_links_its_identity(client, provider, idp):
    """From the security page, an email account signs in at the provider and the identity is linked to it."""
    resident = UserFactory()
    client.force_login(resident)
    assert "link=1" in client.get("/profile/security/").content.decode()

    response = sign_in(client, idp, query="?link=1&next=/profile/security/")

    assert response.url == "/profile/security/" and signed_in_user(client) == resident
    assert IdentityLink.objects.get().user == resident
    assert ResidentProfile.objects.get(user=resident).identity_verified_at is not None


def test_an_identity_linked_elsewhere_is_not_moved_to_another_account(client, provider, idp):
    sign_in(client, idp)
    first = signed_in_user(client)
    client.logout()
    other = UserFactory()
    client.force_login(other)

    response = sign_in(client, idp, query="?link=1")

    assert response.status_code == 400
    assert IdentityLink.objects.get().user == first


def test_staff_accounts_cannot_sign_in_with_a_provider(client, provider, idp, health):
    staff = StaffFactory(department=health)
    client.force_login(staff)

    response = sign_in(client, idp, query="?link=1")

    assert response.status_code == 400 and not IdentityLink.objects.exists()


def test_signing_out_signs_out_at_the_provider_too(client, provider, idp):
    """Sign out of a session that came from the provider: the portal's session ends and the browser goes to the
    provider's end-session endpoint with the client and the portal as the way back."""
    sign_in(client, idp)

    response = client.post("/accounts/logout/")

    assert signed_in_user(client) is None
    target = urlsplit(response.url)
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{idp.url}/logout"
    query = parse_qs(target.query)
    assert query == {"post_logout_redirect_uri": ["http://testserver/"], "client_id": ["portal"]}


def test_the_sign_in_page_offers_the_provider(client, provider):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert_accessible(response)
    html = response.content.decode()

    assert "/identity/suishenban/login/" in html
