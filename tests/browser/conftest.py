"""Real Chromium (Debian's package) driven by Playwright, against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        unavailable(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(5000)
    page = context.new_page()
    yield page
    context.close()


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SCREENSHOT_WIDTHS = {"phone": (375, 812), "desktop": (1280, 800)}


@pytest.fixture
def screenshot():
    """Save the page as test-artifacts/screenshots/<name>-375.png and -1280.png (whole page), then restore the
    window, so anyone can look at the key pages after a test run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        window = page.viewport_size
        for width, height in SCREENSHOT_WIDTHS.values():
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True, animations="disabled")
        page.set_viewport_size(window)

    return take
