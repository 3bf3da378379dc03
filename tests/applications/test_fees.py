"""The payment gate: a fee-bearing application is submitted with its fee quoted and routed only once it is paid
(or waived); the resident sees the amount before submitting, on the web and in the API."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.applications.actions import application_create_draft, application_submit
from services.applications.fees import application_fee_paid
from services.applications.models import Application, ApplicationEvent, EventNote, FeeStatus, Status
from services.calendar.selectors import working_calendar
from services.routing.actions import application_route
from services.routing.selectors import unrouted_application_ids
from tests.factories import VALID_ANSWERS, ApplicationFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PER_CHILD = {"amount_fen": 2000, "per": "children"}
WAIVED_IF_URGENT = {"amount_fen": 30000, "waived_if": [{"kind": "answer", "field": "urgent", "equals": True}]}


@pytest.fixture
def fee_service(health):
    return ServiceFactory(department=health, fee_rule=PER_CHILD)


def submit(service, resident, callbacks, **answers):
    draft = application_create_draft(applicant=resident, service=service, answers={**VALID_ANSWERS, **answers})
    with callbacks(execute=True):
        application_submit(application=draft, by=resident)
    draft.refresh_from_db()
    return draft


def test_a_fee_bearing_application_waits_for_its_payment(fee_service, resident, django_capture_on_commit_callbacks):
    """Submitted with its fee due (the price times the answer), and not routed: no department sees it yet."""
    application = submit(fee_service, resident, django_capture_on_commit_callbacks, children=3)

    assert (application.status, application.fee_status, application.fee_fen) == (Status.SUBMITTED, "due", 6000)
    assert application.awaits_payment
    assert application.department is None


def test_paying_routes_it_once(fee_service, resident, django_capture_on_commit_callbacks):
    """The payment records the fee as paid, on the timeline, and routes the application; a second payment of the
    same fee finds nothing to pay (so the caller refunds it)."""
    application = submit(fee_service, resident, django_capture_on_commit_callbacks, children=1)

    with django_capture_on_commit_callbacks(execute=True):
        first = application_fee_paid(application=application)
    second = application_fee_paid(application=application)

    application.refresh_from_db()
    assert (first, second) == (True, False)
    assert (application.status, application.fee_status) == (Status.ROUTED, FeeStatus.PAID)
    assert ApplicationEvent.objects.filter(application=application, note=EventNote.FEE_PAID).count() == 1


def test_a_withdrawn_application_takes_no_payment(fee_service, resident, django_capture_on_commit_callbacks):
    application = submit(fee_service, resident, django_capture_on_commit_callbacks, children=1)
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status"])

    assert application_fee_paid(application=application) is False
    application.refresh_from_db()
    assert application.fee_status == FeeStatus.DUE


def test_a_waived_fee_is_routed_at_once(health, resident, django_capture_on_commit_callbacks):
    service = ServiceFactory(department=health, fee_rule=WAIVED_IF_URGENT)

    application = submit(service, resident, django_capture_on_commit_callbacks, urgent=True)

    assert (application.status, application.fee_status, application.fee_fen) == (Status.ROUTED, "waived", 30000)


def test_a_free_service_is_routed_at_once(service, resident, django_capture_on_commit_callbacks):
    application = submit(service, resident, django_capture_on_commit_callbacks)

    assert (application.status, application.fee_status, application.fee_fen) == (Status.ROUTED, "none", 0)


def test_routing_and_its_sweep_leave_an_unpaid_application_alone(fee_service):
    """A redelivered routing message or the sweep never routes past the payment gate."""
    old = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    unpaid = ApplicationFactory(service=fee_service, submitted=True, submitted_at=old, fee_status="due", fee_fen=1)
    paid = ApplicationFactory(service=fee_service, submitted=True, submitted_at=old, fee_status="paid", fee_fen=1)

    assert application_route(application_id=unpaid.pk) is None
    assert unrouted_application_ids(older_than=dt.timedelta(seconds=1)) == [paid.pk]
    unpaid.refresh_from_db()
    assert unpaid.status == Status.SUBMITTED


def test_the_check_page_shows_the_fee_before_submitting(client, resident, fee_service):
    draft = application_create_draft(applicant=resident, service=fee_service, answers={**VALID_ANSWERS, "children": 2})
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    page = client.get(reverse("applications:check", kwargs={"public_id": draft.public_id})).content.decode()

    assert "The fee is <strong>¥40.00</strong>" in page


def test_the_check_page_says_a_fee_is_waived(client, resident, health):
    service = ServiceFactory(department=health, fee_rule=WAIVED_IF_URGENT)
    draft = application_create_draft(applicant=resident, service=service, answers={**VALID_ANSWERS, "urgent": True})
    client.force_login(resident)

    page = client.get(reverse("applications:check", kwargs={"public_id": draft.public_id})).content.decode()

    assert "¥300.00" in page and "免" in page


def test_the_service_page_and_the_application_page_show_the_fee(
    client, resident, fee_service, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    application = submit(fee_service, resident, django_capture_on_commit_callbacks, children=2)

    service_page = client.get(fee_service.get_absolute_url()).content.decode()
    detail = client.get(application.get_absolute_url()).content.decode()

    assert "¥20.00 for each of “Children”" in service_page
    assert "¥40.00 · To pay" in detail


def test_the_api_quotes_a_drafts_fee_and_shows_a_submitted_ones(
    resident, fee_service, django_capture_on_commit_callbacks
):
    client = APIClient()
    client.force_authenticate(resident)
    draft = application_create_draft(applicant=resident, service=fee_service, answers={**VALID_ANSWERS, "children": 2})
    url = f"/api/v1/applications/{draft.public_id}/"

    quoted = client.get(url).json()
    with django_capture_on_commit_callbacks(execute=True):
        application_submit(application=draft, by=resident)
    submitted = client.get(url).json()

    assert quoted["fee_quote"] == {"amount_fen": 4000, "full_fen": 4000, "units": 2, "waived": False, "reasons": []}
    assert (submitted["fee_fen"], submitted["fee_status"], submitted["fee_quote"]) == (4000, "due", None)


def test_the_legal_time_limit_counts_from_the_payment(fee_service, resident, django_capture_on_commit_callbacks):
    """Paid days after the submission, the application's due date counts from the payment day."""
    application = submit(fee_service, resident, django_capture_on_commit_callbacks, children=1)
    Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now() - dt.timedelta(days=30))

    with django_capture_on_commit_callbacks(execute=True):
        application_fee_paid(application=application)

    application.refresh_from_db()
    paid_on = timezone.localdate(application.fee_paid_at)
    assert application.due_date == working_calendar().add_working_days(paid_on, fee_service.processing_days)
