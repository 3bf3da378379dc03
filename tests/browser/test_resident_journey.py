"""The whole resident journey in real Chromium against the real catalogue, once in Chinese and once in English:
register, verify the email, fill in the profile, search, check eligibility, fill the form in steps (an error
shown and corrected, the session lost mid-step without losing what was typed), check the answers, submit, see
the routed status, answer the caseworker's information request with an upload, see the decision and rate it."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from services.applications.actions import application_claim, application_decide, application_request_information
from services.applications.models import Application, Status
from services.catalogue.models import Department, DocumentType, Service
from services.documents.models import Document
from services.ratings.models import Rating
from tests.browser.helpers import open_account_menu, sign_in
from tests.documents.files import pdf
from tests.factories import StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-passphrase"
SEARCH = {"zh-hans": "家庭医生", "en": "family doctor"}
PROOF = {"zh-hans": "居住证明.pdf", "en": "proof-of-address.pdf"}


@pytest.fixture
def documents_on_disk(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_whole_resident_journey(browser, live_server, documents_on_disk, screenshot, language):
    def _(text: str) -> str:  # the page's words, in the language of this run
        with translation.override(language):
            return translation.gettext(text)

    call_command("load_catalogue")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN" if language == "zh-hans" else "en-GB")
    context.set_default_timeout(10000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    email = f"journey.{language}@example.test"

    # register
    page.goto("/")
    screenshot(page, f"home-{language}")
    page.get_by_role("link", name=_("Create an account")).click()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("input[name=password2]").press("Enter")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # verify through the link in the email: signed in from then on
    (message,) = [m for m in mail.outbox if email in m.to]
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    page.get_by_role("button", name=_("Confirm")).click()
    page.wait_for_url(re.compile(r"/applications/$"))

    # fill in the profile once: the form and the eligibility check use it
    open_account_menu(page)
    page.get_by_role("link", name=_("Profile")).click()
    page.locator("[name=legal_name]").fill("王小明")
    page.locator("[name=id_number]").fill("11010519491231002X")
    page.locator("[name=date_of_birth]").fill("1949-12-31")
    page.locator("[name=phone]").fill("13812345678")
    page.locator("[name=district]").select_option("pudong")
    page.locator("[name=street_address]").fill("世纪大道100号")
    page.locator("[name=preferred_language]").select_option(language)
    page.get_by_role("button", name=_("Save"), exact=True).click()
    assert page.get_by_role("status").is_visible()
    assert page.locator("[name=legal_name]").input_value() == "王小明"

    # search for the service, open it, check eligibility (the district comes from the profile)
    page.goto("/")
    page.get_by_label(_("Search services")).fill(SEARCH[language])
    page.get_by_role("button", name=_("Search"), exact=True).click()
    service = Service.objects.get(slug="family-doctor-registration")
    page.get_by_role("link", name=service.title_zh if language == "zh-hans" else service.title_en).click()
    details = page.locator("details.eligibility-check")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    page.get_by_role("button", name=_("Check"), exact=True).click()
    assert page.get_by_role("heading", name=_("You can apply")).is_visible()
    assert ("浦东新区" if language == "zh-hans" else "Pudong") in page.locator(".eligibility-rules").inner_text()
    screenshot(page, f"service-{language}")

    # "about you" is already answered from the profile, so the form opens at the health step
    page.get_by_role("link", name=_("Start now")).click()
    page.wait_for_url(re.compile(r"/steps/health/$"))
    step_heading = page.get_by_role("heading", level=1).inner_text()

    # one question left unanswered is explained at the top, linked to it, and the other answer is kept
    page.locator("[name=chronic_condition][value=false]").check()
    page.get_by_role("button", name=_("Save and continue")).last.click()
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    screenshot(page, f"form-step-error-{language}")
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.name") == "home_visits"
    assert page.locator("[name=chronic_condition][value=false]").is_checked()

    # the session expires while the resident answers; after signing in again, the same step, nothing lost
    page.context.clear_cookies(name="sessionid")
    page.locator("[name=home_visits][value=true]").check()
    page.get_by_role("button", name=_("Save and continue")).last.click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    sign_in(page, email, PASSWORD)
    assert page.get_by_role("heading", level=1).inner_text() == step_heading
    assert page.locator("[name=chronic_condition][value=false]").is_checked()
    assert page.locator("[name=home_visits][value=true]").is_checked()
    page.get_by_role("button", name=_("Save and continue")).last.click()

    # step 3, then check the answers and submit
    page.locator("[name=health_centre]").fill("花木社区卫生服务中心")
    page.get_by_role("button", name=_("Save and continue")).last.click()
    assert page.get_by_role("heading", level=1).inner_text() == _("Check your answers before you submit")
    answers = page.locator("main").inner_text()
    assert "花木社区卫生服务中心" in answers and "王小明" in answers and "13812345678" in answers  # from the profile
    screenshot(page, f"check-answers-{language}")
    page.get_by_role("button", name=_("Submit application")).click()
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"HLT-\d{4}-\d{6}", reference)

    # routed in the background (tasks run in-process after the commit): My applications says so
    open_account_menu(page)
    page.get_by_role("link", name=_("My applications")).click()
    assert _("Waiting for a caseworker") in page.get_by_role("row", name=re.compile(reference)).inner_text()
    application = Application.objects.get(reference=reference)
    assert application.status == Status.ROUTED and application.department.code == "health"

    # a caseworker of the department claims it and asks for a proof of address, as the admin's buttons would
    caseworker = StaffFactory(department=Department.objects.get(code="health"))
    application_claim(application=application, by=caseworker)
    application_request_information(
        application=application, by=caseworker, message="请补充材料。", items=["居住证明 / Proof of address"]
    )

    # the resident answers it on the web, uploading the proof to the wallet on the way
    page.goto(application.get_absolute_url())
    assert page.get_by_text("居住证明 / Proof of address").first.is_visible()
    page.get_by_role("link", name=_("Answer"), exact=True).click()
    page.get_by_role("link", name=_("Upload a new document to your wallet")).click()
    tenancy = DocumentType.objects.get(code="tenancy-or-property")
    page.get_by_label(_("What is it?")).select_option(
        label=tenancy.name_zh if language == "zh-hans" else tenancy.name_en
    )
    page.get_by_label(_("Files")).set_input_files(
        [{"name": PROOF[language], "mimeType": "application/pdf", "buffer": pdf(1)}]
    )
    page.get_by_role("button", name=_("Upload"), exact=True).click()
    page.wait_for_url(re.compile(r"/requests/.+/answer/$"))
    page.get_by_label(_("Your answer")).fill("已上传居住证明。")
    page.get_by_label(PROOF[language]).check()
    page.get_by_role("button", name=_("Send my answer")).click()
    assert page.get_by_text(_("Your answer has been sent. The time limit for the decision runs again.")).is_visible()
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    assert list(application.information_requests.get().documents.all()) == [Document.objects.get(owner__email=email)]

    # the caseworker approves; the resident sees the decision on the application's page
    application_decide(application=application, by=caseworker, approve=True, reason="欢迎签约。")
    page.goto(application.get_absolute_url())
    decision = page.locator("section.decision")
    assert decision.get_by_role("heading", name=_("Decision")).is_visible()
    assert "欢迎签约。" in decision.inner_text()
    screenshot(page, f"application-{language}")

    # and rates it
    for question, score in (
        ("Speed: how quickly was your application handled?", "5 – very satisfied"),
        ("Clarity: how clear were the forms, letters and explanations?", "4 – satisfied"),
        ("Attitude: how were you treated by the staff?", "5 – very satisfied"),
    ):
        page.get_by_role("group", name=re.compile("^" + re.escape(_(question)))).get_by_label(_(score)).check()
    page.get_by_role("button", name=_("Send rating")).click()
    page.wait_for_url(re.compile(re.escape(application.get_absolute_url()) + "$"))
    assert page.get_by_role("button", name=_("Send rating")).count() == 0
    rating = Rating.objects.get(application=application)
    assert (rating.step, rating.speed, rating.clarity, rating.attitude) == (Status.APPROVED, 5, 4, 5)
    assert not hasattr(rating, "follow_up")
    context.close()
