"""The new look on a phone and a desktop, in Chromium: every resident page and the staff sign-in have no serious or
critical axe-core violation at 375 and 1280 px (both languages, elder mode), never scroll sideways, weigh at most
100 KB gzipped on first load (HTML, CSS and JS), and keep the phone header short; the key pages are photographed
into test-artifacts/screenshots/ for the README."""

import gzip

import pytest
from django.test import Client

from services.accounts.models import ResidentProfile
from tests.browser.helpers import give_session
from tests.browser.test_resident_web import serious_violations
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, DocumentFactory, ServiceFactory
from tests.statistics.data import decided_applications
from tests.web.test_form_documents import DOCUMENT_SCHEMA

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANONYMOUS = ["/", "/services/", "/accessibility/", "/statistics/", "/accounts/login/", "/accounts/signup/",
             "/accounts/login/?next=/admin/"]  # fmt: skip
SIGNED_IN = ["/applications/", "/documents/", "/notifications/", "/profile/", "/profile/security/"]
MAX_GZIPPED_BYTES = 100_000
MAX_PHONE_HEADER_PX = 120


@pytest.fixture
def world(resident, service):
    """A resident with a profile, a wallet document, an application in review and a draft at a form step."""
    ResidentProfile.objects.create(user=resident, legal_name="王小明", preferred_language="zh-hans")
    service.category = "medical-care"  # its card shows the category's pictogram
    service.save(update_fields=["category"])
    decided_applications(service, 6, late_every=3)
    DocumentFactory(owner=resident, original_name="户口簿.pdf")
    application = ApplicationFactory(applicant=resident, service=service, in_review=True, due_date="2026-12-31")
    draft = ApplicationFactory(applicant=resident, service=service)
    # a form with a required document (the wallet's identity card offered, or an upload), and its check page
    schema = {**DOCUMENT_SCHEMA, "properties": {**DOCUMENT_SCHEMA["properties"]}}
    schema["properties"]["proof"] = {**schema["properties"]["proof"], "x-document-type": "resident-id-card"}
    with_document = ApplicationFactory(
        applicant=resident,
        service=ServiceFactory(department=service.department, form_schema=schema, category="unemployment"),
    )
    return {
        "service": service.get_absolute_url(),
        "application": application.get_absolute_url(),
        "staff": f"/admin/applications/application/{application.pk}/change/",
        "step": f"/applications/{draft.public_id}/steps/answers/",
        "document-step": f"/applications/{with_document.public_id}/steps/answers/",
        "check": f"/applications/{with_document.public_id}/check/",
    }


def weigh(page, url: str) -> int:
    """Load ``url`` afresh and return the gzipped bytes of its HTML, CSS and JS."""
    bodies = []

    def keep(response):
        if response.request.resource_type in ("document", "stylesheet", "script") and response.status == 200:
            bodies.append(response.body())

    page.on("response", keep)
    page.goto(url)
    page.remove_listener("response", keep)
    return sum(len(gzip.compress(body)) for body in bodies)


@pytest.mark.parametrize(("language", "elder"), [("zh-hans", False), ("en", False), ("zh-hans", True)])
@pytest.mark.parametrize("width", [375, 1280])
def test_every_resident_page_is_accessible_light_and_fits(browser, live_server, resident, world, language, elder,
                                                          width):  # fmt: skip
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": 800})
    context.set_default_timeout(10000)
    page = context.new_page()
    try:
        give_session(page, live_server, resident, language=language, elder=elder)
        problems = {}
        signed_in = [world[name] for name in ("service", "application", "step", "document-step", "check")]
        for url in [*SIGNED_IN, *signed_in, *ANONYMOUS]:
            if url == ANONYMOUS[0]:
                context.clear_cookies(name="sessionid")  # the rest as a visitor
            weight = weigh(page, url)
            scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            header = page.locator(".site-header").bounding_box()["height"]
            found = serious_violations(page)
            if weight > MAX_GZIPPED_BYTES:
                found.append(f"{weight} bytes gzipped")
            if scroll > client:
                found.append(f"scrolls sideways: {scroll} > {client}")
            if width == 375 and not elder and header > MAX_PHONE_HEADER_PX:
                found.append(f"header {header:.0f} px high")
            if found:
                problems[url] = found
        assert not problems
    finally:
        context.close()


def test_screenshots_of_the_key_pages(browser, live_server, resident, world, screenshot, health_caseworker):
    """Home, a service, a form step, an application with its tracker, the wallet, and the caseworker's page."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    give_session(page, live_server, resident, language="zh-hans")
    for name, url in [("home", "/"), ("service", world["service"]), ("form-step", world["step"]),
                      ("form-document-step", world["document-step"]), ("services", "/services/"),
                      ("application-tracker", world["application"]), ("wallet", "/documents/")]:  # fmt: skip
        page.goto(url)
        screenshot(page, f"{name}-zh")
    staff = staff_login(Client(), health_caseworker)
    context.clear_cookies()
    context.add_cookies([
        {"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": live_server.url},
        {"name": "django_language", "value": "en", "url": live_server.url},
    ])  # fmt: skip
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(world["staff"])
    screenshot(page, "caseworker-application-en")
    context.close()


def test_the_caseworkers_queue_fits_1280_px(browser, live_server, world, health_caseworker):
    """The queue at 1280 px: no column cut off (nothing scrolls sideways), references on one line."""
    session = staff_login(Client(), health_caseworker)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800})
    context.add_cookies([
        {"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url},
        {"name": "django_language", "value": "en", "url": live_server.url},
    ])  # fmt: skip
    page = context.new_page()
    page.goto("/admin/applications/application/?deadline=all")
    scroll, client = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    reference = page.locator("th.field-reference a").first
    assert scroll <= client and reference.bounding_box()["height"] < 30
    context.close()
