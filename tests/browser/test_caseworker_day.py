"""The caseworker's day in Chromium: a decision shows the resident's letter and asks to confirm (without JavaScript),
and the keyboard shortcuts open the next case and claim it, never while typing."""

import datetime as dt
import re
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from services.applications.models import Status
from services.caseworker.models import BulkJob, BulkJobItem
from tests.browser.test_resident_web import serious_violations
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, ResidentProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def staff_context(browser, live_server, user, **options):
    """A browser signed in as ``user`` (with two factors, as the portal's login leaves staff), reading English."""
    session = staff_login(Client(), user)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}, **options)
    context.set_default_timeout(10000)
    context.add_cookies([
        {"name": "sessionid", "value": session.cookies["sessionid"].value, "url": live_server.url},
        {"name": "django_language", "value": "en", "url": live_server.url},
    ])  # fmt: skip
    return context


def test_a_rejection_shows_the_chinese_letter_and_is_made_only_when_confirmed(browser, live_server, service,
                                                                            health_caseworker, screenshot):  # fmt: skip
    """Without JavaScript: Reject leads to the letter the resident will read, in Chinese, and decides nothing;
    the red "Reject and send this letter" decides."""
    applicant = ResidentProfileFactory(legal_name="王小明", preferred_language="zh-hans").user
    application = ApplicationFactory(service=service, applicant=applicant, in_review=True, assignee=health_caseworker)
    context = staff_context(browser, live_server, health_caseworker, java_script_enabled=False)
    desk = context.new_page()

    desk.goto(f"/admin/applications/application/{application.pk}/change/")
    desk.get_by_label("Reason for the resident (required to reject)").fill("收入超过标准。")
    desk.get_by_role("button", name="Reject", exact=True).click()

    expect(desk.get_by_text(re.compile(f"You are about to reject {application.reference}"))).to_be_visible()
    letter = desk.locator("article.letter-preview")
    expect(letter).to_have_attribute("lang", "zh-Hans")
    expect(letter.get_by_role("heading", name="决定：您的申请未获批准")).to_be_visible()
    expect(letter.get_by_text("收入超过标准。")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Status.IN_REVIEW
    screenshot(desk, "caseworker-decision-confirm-en")

    desk.get_by_role("button", name="Reject and send this letter").click()
    expect(desk.get_by_text(f"{application.reference}: Rejected.")).to_be_visible()
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == (Status.REJECTED, "收入超过标准。")
    context.close()


def test_n_opens_the_next_case_and_c_claims_it_but_not_while_typing(browser, live_server, service,
                                                                   health_caseworker):  # fmt: skip
    first = ApplicationFactory(service=service, routed=True, due_date="2026-12-20")
    second = ApplicationFactory(service=service, routed=True, due_date="2026-12-31")
    context = staff_context(browser, live_server, health_caseworker)
    desk = context.new_page()

    desk.goto("/admin/applications/application/")
    expect(desk.get_by_role("link", name="Next case")).to_have_attribute("aria-keyshortcuts", "N")
    desk.keyboard.press("n")
    desk.wait_for_url(re.compile(f"/application/{first.pk}/change/"))
    expect(desk.get_by_text(re.compile("Keyboard shortcuts .*C.* claims this one"))).to_be_visible()

    # typing an N and a C into the note moves nothing and claims nothing
    desk.get_by_label("Internal note (never shown to the resident)").press_sequentially("nc")
    desk.wait_for_timeout(300)
    assert desk.url.endswith(f"/application/{first.pk}/change/")
    first.refresh_from_db()
    assert first.status == Status.ROUTED

    desk.locator("body").click(position={"x": 5, "y": 300})  # out of the field
    desk.keyboard.press("c")
    expect(desk.get_by_text(f"{first.reference}: In review.")).to_be_visible()
    first.refresh_from_db()
    assert (first.status, first.assignee) == (Status.IN_REVIEW, health_caseworker)

    desk.keyboard.press("n")
    desk.wait_for_url(re.compile(f"/application/{second.pk}/change/"))
    context.close()


def test_the_queue_the_case_and_the_confirmation_have_no_serious_axe_violation(browser, live_server, service,
                                                                              health_caseworker):  # fmt: skip
    application = ApplicationFactory(service=service, in_review=True, assignee=health_caseworker)
    ApplicationFactory(service=service, routed=True, due_date="2026-12-20")
    context = staff_context(browser, live_server, health_caseworker, bypass_csp=True)  # axe is injected
    desk = context.new_page()
    problems = {}
    job = BulkJob.objects.create(created_by=health_caseworker, form_token=uuid.uuid4(), kind=BulkJob.Kind.ASSIGN,
                                 assignee=health_caseworker, language="en", total=1)  # fmt: skip
    BulkJobItem.objects.create(job=job, application=application, result="failed", message="Not in your queues.")
    for step in ("bulk job", "queue", "case", "confirmation"):
        if step == "bulk job":
            desk.goto(f"/admin/applications/application/bulk/{job.public_id}/")
            expect(desk.locator("progress")).to_have_attribute("value", "1")
        elif step == "queue":
            desk.goto("/admin/applications/application/")
        elif step == "case":
            desk.goto(f"/admin/applications/application/{application.pk}/change/")
        else:
            desk.get_by_role("button", name="Approve", exact=True).click()
            expect(desk.locator("article.letter-preview")).to_be_visible()
        problems[step] = serious_violations(desk)
    assert problems == {"bulk job": [], "queue": [], "case": [], "confirmation": []}
    context.close()


def test_the_queue_at_1280_px_wraps_long_names_and_keeps_references_whole(browser, live_server, service,
                                                                         health_caseworker):  # fmt: skip
    """A very long legal name and service title wrap inside their cells; nothing is cut off or scrolls sideways;
    the reference stays on one line."""
    long_name = "Maximiliana Aurelia Konstantinopoulou-Wolfeschlegelsteinhausenbergerdorff von Hohenzollern"  # 90
    service.title_en = "Registration for subsidised vocational training and re-employment assistance, Pudong"
    service.save()
    applicant = ResidentProfileFactory(legal_name=long_name).user
    application = ApplicationFactory(service=service, applicant=applicant, routed=True, due_date="2026-12-31")
    overdue = timezone.localdate() - dt.timedelta(days=1)  # its due date flagged in words, assigned to someone
    ApplicationFactory(service=service, in_review=True, assignee=health_caseworker, due_date=overdue)
    context = staff_context(browser, live_server, health_caseworker)
    desk = context.new_page()

    desk.goto("/admin/applications/application/")
    expect(desk.get_by_text("overdue", exact=True)).to_be_visible()

    scroll, client = desk.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    row = desk.locator("#result_list tbody tr", has_text=application.reference)
    reference = row.locator("th.field-reference a").bounding_box()
    name = row.get_by_text(long_name).bounding_box()
    assert scroll <= client
    assert reference["height"] < 30 and name["height"] > 30  # the reference on one line, the name on several
    inner, box = desk.evaluate(
        "() => [document.querySelector('#changelist-form .results').scrollWidth, "
        "document.querySelector('#changelist-form .results').clientWidth]"
    )
    assert inner <= box, "the table scrolls sideways inside its box: a column is cut off"
    context.close()
