"""allauth's emails and pages are the portal's own: its name (never the server's host and port), no
"Hello from …!", in the reader's language and the portal's register (您, 账号), a staff sign-in for staff."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def sign_up(language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.post(reverse("account_signup"), {"email": "new@example.test", "password1": PASSWORD, "password2": PASSWORD})
    return client


def test_the_verification_email_in_chinese_is_the_portals_own(settings):
    settings.PORTAL_URL = "https://portal.example/"
    sign_up("zh-hans")

    (message,) = mail.outbox
    assert message.subject == "【一网通办】请确认您的电子邮箱地址"
    assert "有人（希望是您本人）使用此电子邮箱地址在上海一网通办注册了账号。" in message.body
    assert message.body.rstrip().endswith("上海一网通办\nhttps://portal.example")
    words = "\n".join(line for line in message.body.splitlines() if "/accounts/confirm-email/" not in line)
    for foreign in ("Hello", "来自", "testserver", "127.0.0.1", "账户", "帐号", "你"):
        assert foreign not in words, foreign


def test_the_verification_email_in_english(settings):
    sign_up("en")

    (message,) = mail.outbox
    assert message.subject == "[Shanghai One-Stop] Confirm your email address"
    assert "To confirm it, open this link:" in message.body and "Hello from" not in message.body


def test_the_confirm_page_says_plainly_what_is_confirmed():
    client = sign_up("zh-hans")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[0].body).group(1)

    page = client.get(link)

    assert_accessible(page)
    assert "请确认 new@example.test 是您的电子邮箱地址。确认后，您的账号即可使用，并自动登录。" in page.content.decode()


def test_staff_sign_in_on_a_staff_page(client):
    """The admin sends staff to a staff sign-in, without the residents' "sign up first"; residents keep theirs."""
    staff = client.get("/admin/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    resident = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en")

    assert_accessible(staff)
    assert "<h1>Staff sign-in</h1>" in staff.content.decode() and "sign up" not in staff.content.decode()
    assert "<h1>Sign In</h1>" in resident.content.decode() and "sign up" in resident.content.decode()
