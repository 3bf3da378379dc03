"""In Chromium: a resident submits a fee-bearing application seeing its fee, pays on the fake provider's checkout,
the application is routed, they book an appointment and move it; on the day, the caseworker marks it attended."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from services.applications.actions import application_create_draft
from services.applications.models import Application, Status
from services.appointments.actions import seats_generate
from services.appointments.models import Appointment, AppointmentStatus, Location, OpeningHours
from tests.browser.helpers import give_session
from tests.conftest import staff_login
from tests.factories import VALID_ANSWERS, ServiceFactory
from tests.payments.conftest import fakepay  # noqa: F401 - the fake provider, a real HTTP server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fee_service(health):
    service = ServiceFactory(department=health, fee_rule={"amount_fen": 2000, "per": "children"})
    location = Location.objects.create(
        code="huamu",
        name_zh="花木社区卫生服务中心",
        name_en="Huamu Health Centre",
        address_zh="花木路 800 号",
        address_en="800 Huamu Road",
        district="pudong",
        department=health,
        counters=1,
    )
    location.services.add(service)
    OpeningHours.objects.bulk_create(
        OpeningHours(location=location, weekday=day, opens=dt.time(9), closes=dt.time(11)) for day in range(5)
    )
    seats_generate(location=location)
    return service


def test_pay_then_book_move_and_attend(browser, live_server, settings, fakepay, fee_service, resident,  # noqa: F811
                                       health_caseworker, screenshot):  # fmt: skip
    settings.PORTAL_URL = live_server.url  # where the provider sends the resident back and its notifications
    draft = application_create_draft(applicant=resident, service=fee_service, answers={**VALID_ANSWERS, "children": 2})
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10000)
    page = context.new_page()
    give_session(page, live_server, resident, language="en")

    # the fee before submitting, then submit
    page.goto(f"/applications/{draft.public_id}/check/")
    expect(page.get_by_text(re.compile(r"The fee is ¥40\.00"))).to_be_visible()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", name="Application submitted")).to_be_visible()
    assert Application.objects.get(pk=draft.pk).status == Status.SUBMITTED  # not routed before it is paid

    # pay on the provider's checkout; back in the portal, the status is read from the provider
    page.get_by_role("button", name="Pay ¥40.00").click()
    page.get_by_role("link", name="Go to the payment service to pay ¥40.00").click()
    expect(page.get_by_text("¥40.00")).to_be_visible()
    page.get_by_role("button", name="Pay 支付").click()
    expect(page.get_by_text("Thank you: the fee is paid.")).to_be_visible()
    screenshot(page, "payment-paid")
    assert Application.objects.get(pk=draft.pk).status == Status.ROUTED

    # book the first free time, then move it to the next one
    page.goto(draft.get_absolute_url())
    page.get_by_role("link", name="Book an appointment").click()
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Hold this time").click()
    page.get_by_role("button", name="Confirm the appointment").click()
    expect(page.get_by_text("Your appointment is booked.")).to_be_visible()
    first = Appointment.objects.get(application=draft, status=AppointmentStatus.BOOKED)
    page.get_by_role("link", name="Change the time").click()
    page.get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Hold this time").click()
    page.get_by_role("button", name="Confirm the appointment").click()
    expect(page.get_by_text("Your appointment is booked.")).to_be_visible()
    screenshot(page, "appointment-booked")
    moved = Appointment.objects.get(application=draft, status=AppointmentStatus.BOOKED)
    assert moved.starts_at > first.starts_at
    assert Appointment.objects.get(pk=first.pk).status == AppointmentStatus.CANCELLED

    # the day comes: the caseworker marks the resident attended in the day's list
    Appointment.objects.filter(pk=moved.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    staff = staff_login(Client(), health_caseworker)
    desk = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    desk.context.add_cookies(
        [
            {"name": "sessionid", "value": staff.cookies["sessionid"].value, "url": live_server.url},
            {"name": "django_language", "value": "en", "url": live_server.url},
        ]
    )
    desk.goto("/admin/appointments/appointment/")
    desk.locator("input[name=_selected_action]").first.check()
    desk.locator("select[name=action]").select_option("mark_attended")
    desk.get_by_role("button", name="Go").click()
    expect(desk.get_by_text("1 appointments marked.")).to_be_visible()
    assert Appointment.objects.get(pk=moved.pk).status == AppointmentStatus.ATTENDED
    desk.context.close()
    context.close()
