"""The header's account menu: for a signed-in resident, a disclosure (works without JavaScript) naming the account
and holding every personal page and sign out as a POST form; for everyone else, sign in and create an account."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from services.notifications.actions import notify
from services.notifications.models import DeliveryStatus, Event, Notification

pytestmark = pytest.mark.django_db


def header(response) -> str:
    return re.search(r"<header.*?</header>", response.content.decode(), re.S).group(0)


def test_signed_in_resident_has_an_account_menu(en_client, resident):
    en_client.force_login(resident)

    menu = re.search(r'<li class="account-menu">.*?</details>', header(en_client.get("/")), re.S).group(0)

    assert "<summary>" in menu and resident.email in menu
    assert '<span class="visually-hidden">Your account: </span>' in menu
    for name in ("applications:mine", "notifications:inbox", "documents:wallet", "mandates:list", "accounts:profile",
                 "accounts:security"):  # fmt: skip
        assert f'href="{reverse(name)}"' in menu
    assert re.search(rf'<form method="post" action="{reverse("account_logout")}">.*?csrfmiddlewaretoken', menu, re.S)
    assert ">Sign out</button>" in menu


def test_the_menu_shows_the_unread_count_while_closed(en_client, resident):
    en_client.force_login(resident)
    notify(event=Event.SUBMITTED, event_key="menu-test", recipients=[resident], payload={"reference": "HLT-1"})
    Notification.objects.filter(recipient=resident).update(status=DeliveryStatus.SENT, sent_at=timezone.now())

    summary = re.search(r"<summary>.*?</summary>", header(en_client.get("/")), re.S).group(0)

    assert '<span class="count">1<span class="visually-hidden"> unread</span></span>' in summary


def test_anonymous_visitors_get_sign_in_links_not_a_menu(en_client):
    page = header(en_client.get("/"))

    assert "<details" not in page
    assert f'href="{reverse("account_login")}"' in page and f'href="{reverse("account_signup")}"' in page
