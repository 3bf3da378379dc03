"""A caseworker works the health queue end to end in Chromium: signs in with password and authenticator code,
claims an application, asks the resident for information, the resident answers on the web, the caseworker
approves, and the resident reads the decision letter."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from services.applications.models import Status
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, DocumentTypeFactory, ResidentProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def english(context, live_server):
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def test_caseworker_claims_asks_and_approves_and_the_resident_gets_the_letter(browser, live_server, service,
                                                                              health_caseworker):  # fmt: skip
    applicant = ResidentProfileFactory(legal_name="王小明", preferred_language="en").user
    application = ApplicationFactory(service=service, applicant=applicant, routed=True, due_date="2026-12-31")
    secret = generate_totp_secret()
    TOTP.activate(health_caseworker, secret)
    staff = browser.new_context(base_url=live_server.url, locale="zh-CN")
    resident = browser.new_context(base_url=live_server.url, locale="zh-CN")
    for context in (staff, resident):
        context.set_default_timeout(10000)
        english(context, live_server)
    desk = staff.new_page()

    # the caseworker signs in: the admin sends them through the portal's login and asks for the code
    desk.goto("/admin/")
    desk.wait_for_url(re.compile(r"/accounts/login/"))
    desk.get_by_label("Email").fill(health_caseworker.email)
    desk.get_by_label("Password").fill("correct-horse-battery")
    desk.get_by_role("button", name="Sign In").click()
    desk.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    desk.get_by_label("Code").fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    desk.get_by_role("button", name="Sign In").click()
    desk.wait_for_url(re.compile(r"/admin/$"))

    # the queue: the application is there, due date first; claim it
    desk.goto("/admin/applications/application/")
    desk.get_by_role("link", name=application.reference).click()
    desk.get_by_role("button", name="Claim").click()
    expect(desk.get_by_text(f"{application.reference}: In review.")).to_be_visible()

    # ask the resident for everything missing at once
    desk.get_by_label("Message to the resident").fill("To decide, we need:")
    desk.get_by_label(re.compile("^Anything else that is missing")).fill("Proof of address\nA recent photo")
    desk.get_by_role("button", name="Ask the resident").click()
    expect(desk.get_by_text(f"{application.reference}: Waiting for the resident's information.")).to_be_visible()

    # the resident answers on the application's page
    session = Client()
    session.force_login(applicant)
    resident.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}])
    web = resident.new_page()
    web.goto(application.get_absolute_url())
    expect(web.locator(".notice").get_by_text("A recent photo", exact=True)).to_be_visible()  # and in the timeline
    web.get_by_role("link", name="Answer").click()
    web.get_by_label("Your answer").fill("Photo and proof sent by post today.")
    web.get_by_role("button", name="Send my answer").click()
    expect(web.get_by_text("Your answer has been sent.")).to_be_visible()

    # the caseworker reads the answer and approves
    desk.reload()
    expect(desk.get_by_text(re.compile("^Answered .*: Photo and proof sent by post today"))).to_be_visible()
    desk.get_by_label("Note for the resident (optional)").fill("Welcome to the service.")
    desk.get_by_role("button", name="Approve").click()
    expect(desk.get_by_role("heading", name="The letter the resident will get, in English")).to_be_visible()
    desk.get_by_role("button", name="Approve and send this letter").click()
    expect(desk.get_by_text(f"{application.reference}: Approved.")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.APPROVED

    # the resident reads the decision letter
    web.goto(application.get_absolute_url())
    web.get_by_role("link", name="Your decision letter (to print or save)").click()
    expect(web.get_by_role("heading", name="Decision: your application is approved")).to_be_visible()
    expect(web.get_by_text("Welcome to the service.")).to_be_visible()
    expect(web.get_by_text(re.compile("administrative reconsideration within 60 days"))).to_be_visible()
    staff.close()
    resident.close()


def test_a_document_type_asked_in_english_reaches_a_chinese_resident_in_chinese(
    browser, live_server, service, health_caseworker
):
    """The caseworker reads English and ticks the household register; the resident reads Chinese, and the page,
    the inbox and the email name it 户口簿, never "Household register"."""
    service.document_types.add(
        DocumentTypeFactory(code="household-register", name_zh="户口簿", name_en="Household register")
    )
    applicant = ResidentProfileFactory(preferred_language="zh-hans", notify_by_email=True).user
    application = ApplicationFactory(service=service, applicant=applicant, in_review=True, assignee=health_caseworker)
    staff = browser.new_context(base_url=live_server.url, locale="en-GB")
    session = staff_login(Client(), health_caseworker)
    staff.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}])
    english(staff, live_server)
    desk = staff.new_page()

    desk.goto(f"/admin/applications/application/{application.pk}/change/")
    expect(desk.get_by_text(re.compile("^The resident reads 简体中文"))).to_be_visible()
    expect(desk.get_by_label("Household register")).to_be_checked()  # not attached yet
    desk.get_by_role("button", name="Ask the resident").click()
    expect(desk.get_by_text(f"{application.reference}: Waiting for the resident's information.")).to_be_visible()

    resident = browser.new_context(base_url=live_server.url, locale="zh-CN")
    session = Client()
    session.force_login(applicant)
    resident.add_cookies([{"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url}])
    web = resident.new_page()
    web.goto(application.get_absolute_url())
    expect(web.locator(".notice").get_by_text("户口簿", exact=True)).to_be_visible()
    expect(web.locator(".timeline").get_by_text("户口簿", exact=True)).to_be_visible()
    web.goto("/notifications/")
    expect(web.locator(".inbox").get_by_text("• 户口簿")).to_be_visible()
    for text in (web.locator("main").inner_text(), *(email.body for email in mail.outbox)):
        assert "Household register" not in text
    assert any("• 户口簿" in email.body for email in mail.outbox)
    staff.close()
    resident.close()
