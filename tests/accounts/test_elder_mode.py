import pytest

from services.accounts.models import ResidentProfile
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_switches_elder_mode_with_a_cookie(client):
    """The header switch sets a cookie and the next page carries the class on <html>."""
    assert 'class="elder-mode"' not in client.get("/").content.decode()
    response = client.post("/elder-mode/", {"elder_mode": "1", "next": "/services/"})
    assert response.url == "/services/"
    assert response.cookies["elder_mode"].value == "1"
    page = client.get("/services/")
    assert_accessible(page)
    html = page.content.decode()
    assert 'class="elder-mode"' in html and ">标准版</button>" in html  # the switch says what it will do now
    client.post("/elder-mode/", {"elder_mode": "0", "next": "/"})
    assert 'class="elder-mode"' not in client.get("/").content.decode()


def test_switch_refuses_an_outside_next(client):
    assert client.post("/elder-mode/", {"elder_mode": "1", "next": "https://evil.example/"}).url == "/"


def test_signed_in_choice_is_remembered_for_the_account(client, resident):
    """Switching while signed in saves it in the profile; another browser gets it at the first page."""
    client.force_login(resident)
    client.post("/elder-mode/", {"elder_mode": "1", "next": "/"})
    assert ResidentProfile.objects.get(user=resident).elder_mode

    client.cookies.clear()
    client.force_login(resident)
    response = client.get("/")
    assert 'class="elder-mode"' in response.content.decode()
    assert response.cookies["elder_mode"].value == "1"
