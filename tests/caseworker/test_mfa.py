"""Staff open the admin only after signing in with two factors (an authenticator app), unless the embedded demo
switched that off; the admin's own login is the portal's (allauth's, throttled)."""

import os
import subprocess
import sys
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.urls import reverse

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password


def current_code(secret: str, steps_ago: int = 0) -> str:
    """The code the staff member's authenticator app shows now, or showed that many 30-second steps ago (allauth's
    own TOTP arithmetic)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 - steps_ago))


def password_given(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    answer = client.post(reverse("account_login") + "?next=/admin/", {"login": user.email, "password": PASSWORD})
    assert answer.url == reverse("mfa_authenticate")
    return client


def test_staff_without_an_authenticator_are_sent_to_set_one_up(health_caseworker):
    client = Client()
    client.force_login(health_caseworker)

    response = client.get("/admin/", follow=True)

    # (allauth first asks for the password again: setting up a second factor needs a recent sign-in)
    assert (reverse("mfa_activate_totp"), 302) in response.redirect_chain
    assert client.get(reverse("admin:applications_application_changelist")).status_code == 302


def test_staff_with_an_authenticator_must_have_used_it_in_this_session(health_caseworker):
    TOTP.activate(health_caseworker, generate_totp_secret())
    client = Client()
    client.force_login(health_caseworker)  # e.g. signed in before the authenticator was set up

    response = client.get("/admin/applications/application/")

    assert response.status_code == 302
    login = client.get(response.url)
    assert login.status_code == 302
    assert login.url == reverse("mfa_reauthenticate") + "?next=/admin/applications/application/"


def test_sign_in_with_password_and_code_opens_the_admin(health_caseworker):
    """The real flow: /admin/ → the portal's login → the authenticator code → back in the admin."""
    secret = generate_totp_secret()
    TOTP.activate(health_caseworker, secret)
    client = Client(headers={"accept-language": "en"})

    to_login = client.get("/admin/", follow=True)
    assert to_login.redirect_chain[-1][0] == reverse("account_login") + "?next=/admin/"
    password = client.post(
        reverse("account_login") + "?next=/admin/", {"login": health_caseworker.email, "password": PASSWORD}
    )
    assert password.status_code == 302 and password.url == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in until the code is given

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if current_code(secret) != "000000" else "1"})
    assert wrong.status_code == 200
    code = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert code.status_code == 302 and code.url == "/admin/"

    index = client.get("/admin/")
    assert index.status_code == 200
    assert reverse("admin:applications_application_changelist") in index.content.decode()


def test_the_code_that_just_rolled_over_is_taken_once_and_an_older_one_never(health_caseworker):
    """Typing a code takes a few seconds: the one shown until a moment ago is still taken (a caseworker, or a browser
    test, is not refused at the turn of the 30 seconds), but only once, and the one before it is refused."""
    secret = generate_totp_secret()
    TOTP.activate(health_caseworker, secret)
    just_rolled_over = current_code(secret, steps_ago=1)

    older = password_given(health_caseworker).post(reverse("mfa_authenticate"), {"code": current_code(secret, 2)})
    taken = password_given(health_caseworker).post(reverse("mfa_authenticate"), {"code": just_rolled_over})
    replayed = password_given(health_caseworker).post(reverse("mfa_authenticate"), {"code": just_rolled_over})

    assert older.status_code == 200 and "Incorrect code" in older.content.decode()
    assert taken.status_code == 302 and taken.url == "/admin/"
    assert replayed.status_code == 200


def test_the_embedded_demo_may_switch_it_off(health_caseworker, settings):
    settings.STAFF_REQUIRE_MFA = False
    client = Client()
    client.force_login(health_caseworker)

    assert client.get(reverse("admin:applications_application_changelist")).status_code == 200


def test_switching_it_off_outside_the_embedded_mode_refuses_to_start():
    """The production settings refuse STAFF_REQUIRE_MFA=false; only DJANGO_DEBUG=true allows it."""
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_ALLOWED_HOSTS": "localhost", "SMS_BACKEND": "http"}
    command = [sys.executable, "-c", "import portal.settings.base"]

    refused = subprocess.run(command, env={**env, "DJANGO_DEBUG": "false", "STAFF_REQUIRE_MFA": "false"},
                             capture_output=True, text=True)  # fmt: skip
    allowed = subprocess.run(command, env={**env, "DJANGO_DEBUG": "true", "STAFF_REQUIRE_MFA": "false"},
                             capture_output=True, text=True)  # fmt: skip

    assert refused.returncode != 0 and "STAFF_REQUIRE_MFA=false is allowed only" in refused.stderr
    assert allowed.returncode == 0, allowed.stderr


def test_required_by_default():
    from portal.settings import base

    assert base.STAFF_REQUIRE_MFA is True


def test_a_signed_in_resident_is_refused_not_looped(resident):
    client = Client()
    client.force_login(resident)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403


def test_inactive_or_non_staff_with_an_authenticator_get_nothing():
    user = UserFactory()
    TOTP.activate(user, generate_totp_secret())
    inactive = StaffFactory(is_active=False)
    for person in (user, inactive):
        client = Client()
        client.force_login(person)
        assert client.get(reverse("admin:applications_application_changelist")).status_code == 302
