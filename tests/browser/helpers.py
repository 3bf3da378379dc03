"""Steps the browser tests share: signing in (through the form, or by handing the browser a session), and the
header's account menu."""

from django.test import Client

PASSWORD = "correct-horse-battery"  # the factories' password


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Fill in the sign-in form the page shows."""
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password]").press("Enter")


def give_session(page, live_server, user, *, language: str = "zh-hans", elder: bool = False) -> None:
    """Sign the browser in as ``user`` without the form, in ``language``, elder mode on or off."""
    session = Client()
    session.force_login(user)
    page.context.add_cookies(
        [
            {"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url},
            {"name": "django_language", "value": language, "url": live_server.url},
            {"name": "elder_mode", "value": "1" if elder else "0", "url": live_server.url},
        ]
    )


def open_account_menu(page) -> None:
    """Open the header's account menu (a <details> disclosure) unless it is open."""
    menu = page.locator(".account-menu details")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()
