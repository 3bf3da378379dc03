"""A new resident registers, verifies the email, applies and sees the status, in real Chromium."""

import re

import pytest
from django.core import mail

from services.applications.models import Application, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_new_resident_registers_verifies_applies_and_sees_status(page, service):
    # register (the browser asks for Chinese: the pages answer in Chinese, the switch offers English)
    page.goto("/accounts/signup/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Email").first.fill("new.resident@example.test")
    page.get_by_label("Password", exact=True).fill("a-long-enough-passphrase")
    page.get_by_label("Password (again)").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))

    # verify through the link in the email
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()

    # apply: first with a mistake, which keeps what was typed
    page.goto(f"/services/{service.slug}/")
    page.get_by_role("link", name="Start now").click()
    page.get_by_label("Full name").fill("Li Lei")
    page.get_by_label("Children").fill("99")
    page.get_by_role("button", name="Save and continue").last.click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("Full name").input_value() == "Li Lei"

    page.get_by_label("Start date").fill("2026-12-01")
    page.get_by_label("Children").fill("2")
    page.get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save and continue").last.click()
    page.get_by_role("button", name="Submit application").click()  # from the check-your-answers page
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(r"HLT-\d{4}-\d{6}", reference)

    # my applications shows it, routed in the background (tasks run in-process after commit)
    page.get_by_role("link", name="My applications").click()
    row = page.get_by_role("row", name=re.compile(reference))
    assert "Waiting for a caseworker" in row.inner_text()
    assert Application.objects.get(reference=reference).status == Status.ROUTED
