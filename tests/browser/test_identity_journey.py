"""In real Chromium against the demo identity provider (a subprocess): a parent signs in with 随申办, applies for a
school place for their minor child under the mandate the provider's family claim gave them, and the child,
signing in later, sees on the timeline that the parent applied; and the app's sign-in through the API."""

import re

import pytest

from services.applications.models import Application, Status
from services.identity.models import Assurance
from tests.factories import VALID_ANSWERS, ServiceFactory
from tests.identity.conftest import provider_config, start_idp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_idp(live_server, settings, tmp_path):
    idp = start_idp(tmp_path, extra_redirects=(f"{live_server.url}/identity/suishenban/callback/",))
    settings.IDENTITY_PROVIDERS = [provider_config(idp)]
    yield idp
    idp.process.terminate()
    idp.process.wait(timeout=10)


def sign_in_with_provider(page, who: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with 随申办 Suishenban (demo)").click()
    page.get_by_role("button", name=re.compile(who)).click()
    page.wait_for_url(re.compile(r"/applications/"))


def test_a_parent_applies_for_their_child_and_the_child_sees_who_applied(browser, live_server, live_idp, screenshot):
    school = ServiceFactory(title_en="Primary school place", title_zh="小学入学", assurance=Assurance.REAL_NAME)
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()

    # the parent signs in with the provider; the family claim gives them their son's mandate
    sign_in_with_provider(page, "Zhang Wei")
    page.goto(f"/services/{school.slug}/")
    screenshot(page, "service-apply-for-child-en")
    page.get_by_role("link", name=re.compile(r"Apply for 张小明 \(Parent of a minor child\)")).click()
    application = Application.objects.get(service=school)
    assert application.applicant.profile.legal_name == "张小明"
    assert application.acting_user.profile.legal_name == "张伟"

    # the answers (the form's pages are the apply tests' business), then check and submit in the browser
    Application.objects.filter(pk=application.pk).update(answers=VALID_ANSWERS)
    page.goto(f"/applications/{application.public_id}/check/")
    page.get_by_role("button", name="Submit application").click()
    page.wait_for_url(re.compile(r"/submitted/"))
    application.refresh_from_db()
    assert application.submitted_at is not None and application.status != Status.DRAFT  # routed at once in-process

    # signing out goes through the provider and back
    page.goto("/")
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/$"))

    # the child signs in: the account made for them holds the application, made by their father
    sign_in_with_provider(page, "Zhang Xiaoming")
    page.goto(f"/applications/{application.public_id}/")
    assert page.get_by_text("by 张伟, acting under a mandate").count() == 1
    screenshot(page, "application-made-by-parent-en")
    context.close()
