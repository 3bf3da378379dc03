"""The resident's preferred language is used by default once signed in, unless this browser chose one."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import ResidentProfileFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_signed_in_resident_gets_the_profile_language_and_it_is_remembered(client):
    """With no language chosen in this browser, the profile's language applies and is kept in the cookie."""
    profile = ResidentProfileFactory(preferred_language="en")
    client.force_login(profile.user)

    response = client.get(reverse("applications:mine"))

    assert '<html lang="en">' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_an_explicit_switch_wins_over_the_profile(client):
    """The header's language switch sets the cookie, which the profile language never overrides."""
    profile = ResidentProfileFactory(preferred_language="en")
    client.force_login(profile.user)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    response = client.get(reverse("applications:mine"))

    assert '<html lang="zh-Hans">' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies  # nothing new to remember


def test_changing_the_preferred_language_in_the_profile_switches_at_once(client, resident):
    client.force_login(resident)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    data = {"legal_name": "李雷", "district": "pudong", "preferred_language": "en"}

    response = client.post(reverse("accounts:profile"), data, follow=True)

    assert '<html lang="en">' in response.content.decode()
    assert "Your profile has been saved." in response.content.decode()


def test_staff_without_a_profile_keep_the_browser_language(client):
    client.force_login(StaffFactory())

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert '<html lang="en">' in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
