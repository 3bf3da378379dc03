"""The e-licence pages in Chromium: axe-core finds no serious or critical violation, in both languages, and the
printable credential and the verification page do not scroll sideways on a small phone."""

import pytest

from services.applications.actions import application_decide
from services.credentials.models import CredentialType
from tests.browser.test_resident_web import serious_violations, sign_in
from tests.factories import ApplicationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def axe_context_page(browser, live_server):
    """A page whose CSP lets axe-core be injected (as test_resident_web's)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def credential(resident, service):
    CredentialType.objects.create(
        code="family-doctor", name_zh="家庭医生签约凭证", name_en="Family doctor registration",
        department=service.department, service=service, claim_answers=["full_name"],
    )  # fmt: skip
    application = ApplicationFactory(applicant=resident, service=service, in_review=True)
    return application_decide(application=application, by=application.assignee, approve=True).credentials.get()


def _urls(credential) -> list[str]:
    return ["/credentials/", f"/credentials/{credential.public_id}/?show=full_name",
            f"/credentials/verify/?token={credential.token}", "/credentials/verify/"]  # fmt: skip


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_credential_pages_have_no_serious_axe_violations(axe_context_page, live_server, resident, credential, language):
    axe_page = axe_context_page
    sign_in(axe_page, live_server, resident, language=language)
    problems = {}
    for url in _urls(credential):
        axe_page.goto(url)
        found = serious_violations(axe_page)
        if found:
            problems[url] = found
    assert not problems


def test_credential_pages_fit_a_small_phone(browser, live_server, resident, credential):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        sign_in(page, live_server, resident, language="en")
        too_wide = {}
        for url in _urls(credential):
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                too_wide[url] = width
        assert not too_wide
    finally:
        context.close()
