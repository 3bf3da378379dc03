"""Nothing typed twice, in real Chromium: a new resident picks a service, signs up, verifies the email, gives
their details once in the profile (the ID number holds the birth date, so it is not asked) and comes back to
the chosen service's form, which already holds their name, ID number, phone and address."""

import re

import pytest
from django.core import mail
from django.core.management import call_command

from services.accounts.models import ResidentProfile
from services.applications.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-enough-passphrase"


def test_sign_up_verify_profile_then_the_chosen_form_is_filled_in(browser, live_server, screenshot):
    call_command("load_catalogue")
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    email = "new.resident@example.test"

    # the service first: starting it asks to sign in, and the sign-up keeps where the resident was going
    page.goto("/services/family-doctor-registration/")
    page.get_by_role("link", name="Start now").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.locator("main").get_by_role("link", name=re.compile("sign up", re.I)).click()  # keeps ?next=
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    page.locator("input[name=password2]").press("Enter")
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    (message,) = [m for m in mail.outbox if email in m.to]
    page.goto(re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0))
    page.get_by_role("button", name="Confirm").click()

    # verified and signed in: the details first, once, in the profile; the birth date is read from the ID number
    page.wait_for_url(re.compile(r"/profile/\?next="))
    page.locator("[name=legal_name]").fill("王小明")
    page.locator("[name=id_number]").fill("1101 0519 4912 3100 2x")  # typed as on the card, spaces and all
    page.locator("[name=phone]").fill("138 1234 5678")
    page.locator("[name=district]").select_option("pudong")
    page.locator("[name=street_address]").fill("世纪大道100号")
    page.locator("[name=preferred_language]").select_option("en")
    page.get_by_role("button", name="Save", exact=True).click()

    # back to the chosen service: "about you" is answered, so the form opens at the next step
    page.wait_for_url(re.compile(r"/steps/health/$"))
    profile = ResidentProfile.objects.get(user__email=email)
    assert (profile.id_number, str(profile.date_of_birth), profile.phone) == ("11010519491231002X", "1949-12-31",
                                                                                "13812345678")  # fmt: skip
    application = Application.objects.get(applicant__email=email)
    assert {
        name: application.answers.get(name)
        for name in ("applicant_name", "applicant_id_number", "applicant_phone", "home_address")
    } == {  # fmt: skip
        "applicant_name": "王小明",
        "applicant_id_number": "11010519491231002X",
        "applicant_phone": "13812345678",
        "home_address": {"district": "pudong", "street": "世纪大道100号"},
    }
    page.get_by_role("button", name="Back", exact=True).click()
    page.wait_for_url(re.compile(r"/steps/about-you/$"))
    assert page.locator("[name=applicant_name]").input_value() == "王小明"
    assert page.locator("[name=applicant_id_number]").input_value() == "11010519491231002X"
    assert page.locator("[name=applicant_phone]").input_value() == "13812345678"
    assert page.locator("[name=home_address_0]").input_value() == "pudong"
    screenshot(page, "form-step-prefilled-en")

    # the profile never asks for the birth date again, and the service's page says a draft is waiting
    page.goto("/profile/")
    assert page.locator("[name=date_of_birth]").count() == 0
    context.close()
