"""Sign-up, email verification, sign-in, sign-out, password reset and login throttling through allauth's pages."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from services.accounts.models import User
from tests.factories import UserFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-brand-new-passphrase-42"


def link_in(message, path_prefix: str) -> str:
    """Return the path of the first link in the email whose path starts with ``path_prefix``."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S+)", message.body)
    assert match, message.body
    return match.group(1)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_up(client, email="new@example.test"):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def test_signup_creates_an_unverified_user_and_emails_a_verification_link(en_client):
    """Signing up creates the account with an unverified address and sends one email with a confirmation link."""
    response = sign_up(en_client)

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new@example.test")
    assert EmailAddress.objects.get(user=user).verified is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@example.test"]
    assert link_in(mail.outbox[0], "/accounts/confirm-email/")
    assert not is_signed_in(en_client)


def test_verification_link_shows_a_confirm_page_then_confirms_and_signs_in(en_client):
    """The emailed link asks for confirmation on GET (mail scanners must not confirm) and confirms on POST."""
    sign_up(en_client)
    link = link_in(mail.outbox[0], "/accounts/confirm-email/")

    page = en_client.get(link)
    assert_accessible(page)
    assert "Confirm" in page.content.decode()
    assert EmailAddress.objects.get(email="new@example.test").verified is False

    response = en_client.post(link)

    assert response.status_code == 302
    assert EmailAddress.objects.get(email="new@example.test").verified is True
    assert is_signed_in(en_client)
    assert en_client.get(reverse("applications:mine")).status_code == 200


def test_sign_in_before_verification_is_refused(en_client):
    """An account whose address is not verified yet is sent to the 'verify your email' page, not signed in."""
    sign_up(en_client)
    en_client.cookies.clear()
    en_client.cookies["django_language"] = "en"

    response = en_client.post(reverse("account_login"), {"login": "new@example.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_signed_in(en_client)


def test_signup_with_a_taken_address_or_mismatched_passwords_shows_errors(en_client, resident):
    """Signing up again with a registered address, or two different passwords, re-renders the form with errors."""
    response = en_client.post(
        reverse("account_signup"), {"email": resident.email, "password1": PASSWORD, "password2": PASSWORD + "x"}
    )

    page = assert_accessible(response)
    assert page.error_ids
    assert 'class="error-summary"' in response.content.decode()
    assert f'value="{resident.email}"' in response.content.decode()
    assert User.objects.filter(email=resident.email).count() == 1


def test_sign_in_and_sign_out(en_client, resident):
    """A verified resident signs in with email and password, lands on their applications, and signs out by POST."""
    response = en_client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse(settings.LOGIN_REDIRECT_URL)
    assert is_signed_in(en_client)

    response = en_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert not is_signed_in(en_client)


def test_sign_in_with_the_wrong_password_shows_an_error_and_keeps_the_address(en_client, resident):
    """A wrong password re-renders the form with the error in the summary and the typed address kept."""
    response = en_client.post(reverse("account_login"), {"login": resident.email, "password": "not-it"})

    assert_accessible(response)
    html = response.content.decode()
    assert "The email address and/or password you specified are not correct." in html
    assert f'value="{resident.email}"' in html
    assert not is_signed_in(en_client)


def test_password_reset_by_email(en_client, resident):
    """Request a reset, follow the emailed link, set a new password, and sign in with it (not the old one)."""
    response = en_client.post(reverse("account_reset_password"), {"email": resident.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = link_in(mail.outbox[0], "/accounts/password/reset/key/")

    # the key in the link is swapped for a session-held one, so the URL with the key does not leak via Referer
    response = en_client.get(link)
    assert response.status_code == 302
    set_password_url = response.url
    assert_accessible(en_client.get(set_password_url))

    response = en_client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")

    en_client.post(reverse("account_logout"))
    refused = en_client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})
    assert refused.status_code == 200
    assert not is_signed_in(en_client)
    accepted = en_client.post(reverse("account_login"), {"login": resident.email, "password": NEW_PASSWORD})
    assert accepted.status_code == 302
    assert is_signed_in(en_client)


def test_password_reset_for_an_unknown_address_reveals_nothing(en_client):
    """Asking to reset an unregistered address looks the same as for a registered one."""
    response = en_client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})

    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")


def failed_login_limit() -> int:
    """Return the per-account limit on failed logins from ACCOUNT_RATE_LIMITS (e.g. 5 in "5/5m/key")."""
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return min(int(rate.split("/")[0]) for rate in rates if rate.endswith("/key"))


def test_failed_logins_are_throttled(en_client):
    """After the configured number of failures, even the right password is refused with 'too many attempts'."""
    resident = UserFactory()
    for _ in range(failed_login_limit()):
        response = en_client.post(reverse("account_login"), {"login": resident.email, "password": "guess"})
        assert "Too many failed login attempts" not in response.content.decode()

    response = en_client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert not is_signed_in(en_client)


def test_throttling_one_account_does_not_lock_out_another(en_client, resident):
    """The per-account limit only applies to the attacked address."""
    victim = UserFactory()
    for _ in range(failed_login_limit()):
        en_client.post(reverse("account_login"), {"login": victim.email, "password": "guess"})

    response = en_client.post(reverse("account_login"), {"login": resident.email, "password": PASSWORD})

    assert response.status_code == 302
    assert is_signed_in(en_client)
