"""The resident pages in Chromium: axe-core finds no serious or critical violation (both languages, elder mode; the
statistics page with figures, the account menu open), nothing scrolls sideways at 320 px or at 200 % zoom, and the
good-bad review works end to end."""

import re
from pathlib import Path

import pytest

from services.ratings.models import Rating
from tests.browser.helpers import give_session, open_account_menu
from tests.conftest import unavailable
from tests.factories import ApplicationFactory
from tests.statistics.data import decided_applications

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / ".cache" / "node_modules" / "axe-core" / "axe.min.js"
ANONYMOUS = ["/", "/services/", "/accessibility/", "/statistics/"]
SIGN_IN = ["/accounts/login/", "/accounts/signup/"]
SIGNED_IN = ["/applications/", "/profile/", "/profile/security/", "/profile/export/", "/profile/delete/"]


@pytest.fixture
def axe_page(browser, live_server):
    """A page whose CSP lets axe-core be injected (the portal's own pages allow no inline script)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    context.set_default_timeout(10000)
    yield context.new_page()
    context.close()


@pytest.fixture
def application(resident, service):
    decided_applications(service, 6, late_every=3)  # the statistics page then shows figures and bars
    return ApplicationFactory(applicant=resident, service=service, in_review=True)


def sign_in(page, live_server, user, *, language="zh-hans", elder=False):
    give_session(page, live_server, user, language=language, elder=elder)


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        unavailable(f"the accessibility tests need axe-core at {AXE} (make test installs it from npm)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize(("language", "elder"), [("zh-hans", False), ("en", False), ("zh-hans", True)])
def test_main_pages_have_no_serious_axe_violations(axe_page, live_server, resident, service, application, language,
                                                   elder):  # fmt: skip
    """axe-core finds no serious or critical problem on the main pages, in Chinese, English and elder mode."""
    page = axe_page
    sign_in(page, live_server, resident, language=language, elder=elder)
    urls = [*ANONYMOUS, service.get_absolute_url(), application.get_absolute_url(), *SIGNED_IN]
    problems = {}
    for url in urls:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == ("zh-Hans" if language == "zh-hans" else "en")
        assert ("elder-mode" in (page.locator("html").get_attribute("class") or "")) == elder
        if url == "/statistics/":
            assert page.locator(".bar-chart li rect").count() > 0  # with figures and bars
        found = serious_violations(page)
        if found:
            problems[url] = found
    page.goto(application.get_absolute_url())
    open_account_menu(page)
    assert page.get_by_role("link", name=re.compile("^(My applications|我的办件)$")).is_visible()
    found = serious_violations(page)
    if found:
        problems["the account menu, open"] = found
    assert not problems


def test_sign_in_pages_have_no_serious_axe_violations(axe_page, live_server):
    page = axe_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    for url in SIGN_IN:
        page.goto(url)
        assert not serious_violations(page), url


@pytest.mark.parametrize(("width", "elder"), [(320, False), (320, True), (640, False)])
def test_no_horizontal_scrolling_at_320px_and_200_percent_zoom(browser, live_server, resident, service, application,
                                                               width, elder):  # fmt: skip
    """At 320 CSS px (a small phone) and at 640 (a 1280 px window zoomed to 200 %) no page scrolls sideways."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 640})
    page = context.new_page()
    try:
        sign_in(page, live_server, resident, language="en", elder=elder)
        urls = [*ANONYMOUS, service.get_absolute_url(), application.get_absolute_url(), *SIGNED_IN, "menu"]
        too_wide = {}
        for url in urls:
            if url == "menu":  # the account menu, open over the home page
                page.goto("/")
                open_account_menu(page)
            else:
                page.goto(url)
            scroll, client = page.evaluate(
                "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                too_wide[url] = (scroll, client)
        assert not too_wide
    finally:
        context.close()


def test_resident_rates_the_service_and_a_bad_rating_promises_a_follow_up(page, live_server, resident, application):
    """From the application page, a resident rates 1–5 on speed, clarity and attitude with a comment."""
    sign_in(page, live_server, resident, language="en")
    page.goto(application.get_absolute_url())

    # sending without scores shows the error summary and keeps the comment
    page.get_by_label("Comment").fill("Nobody answered the phone")
    page.get_by_role("button", name="Send rating").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Comment").input_value() == "Nobody answered the phone"

    page.get_by_role("group", name=re.compile("^Speed")).get_by_label("1 – very dissatisfied").check()
    page.get_by_role("group", name=re.compile("^Clarity")).get_by_label("3 – fair").check()
    page.get_by_role("group", name=re.compile("^Attitude")).get_by_label("2 – dissatisfied").check()
    page.get_by_role("button", name="Send rating").click()

    page.wait_for_url(re.compile(re.escape(application.get_absolute_url()) + "$"))
    assert page.get_by_text("A supervisor will contact you within 1 working day.").is_visible()
    assert page.get_by_text(re.compile("will contact you by")).is_visible()
    assert page.get_by_role("button", name="Send rating").count() == 0
    rating = Rating.objects.get(application=application)
    assert (rating.speed, rating.clarity, rating.attitude) == (1, 3, 2)
    assert rating.follow_up.contact_due
