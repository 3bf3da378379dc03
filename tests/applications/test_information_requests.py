"""Asking the resident for information: one message listing everything missing, the legal clock stopped until
the answer (on the web or in the app, words and wallet documents), then back in review with the due date moved
on by the working days it waited; every staff look written to the audit log the resident can read."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.applications.actions import application_request_information
from services.applications.models import InformationRequest, Status
from services.audit.models import AuditAction, AuditEntry
from services.notifications.models import Event, Notification
from tests.api.problems import assert_problem, error_fields
from tests.caseworker.conftest import act, change_url, logged_in
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    DocumentTypeFactory,
    ResidentProfileFactory,
    UserFactory,
)
from tests.routing.conftest import calendar_2026  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

ITEMS = "Proof of address\nThe child's birth certificate"


@contextmanager
def at(moment: str):
    """Let it be ``moment`` (Shanghai time) for the code under test."""
    now = timezone.make_aware(dt.datetime.fromisoformat(moment))
    with mock.patch("django.utils.timezone.now", return_value=now):
        yield now


@pytest.fixture
def applicant():
    return ResidentProfileFactory(legal_name="王小明", preferred_language="en").user


@pytest.fixture
def in_review(calendar_2026, service, health_caseworker, applicant):  # noqa: F811
    """Submitted Friday 18 Sep 2026 to a 10-working-day service (due Friday 9 Oct), claimed by the caseworker."""
    return ApplicationFactory(
        service=service,
        applicant=applicant,
        in_review=True,
        assignee=health_caseworker,
        submitted_at=timezone.make_aware(dt.datetime(2026, 9, 18, 10)),
        due_date=dt.date(2026, 10, 9),
    )


@pytest.fixture
def wallet_document(applicant):
    return DocumentFactory(owner=applicant, original_name="proof-of-address.pdf")


def ask_from_the_admin(caseworker, application):
    """On Tuesday 29 Sep the caseworker opens the page and asks for two things in one message."""
    client = logged_in(caseworker)
    with at("2026-09-29 09:00"):
        client.get(change_url(application))
        act(client, application, "request_information", message="To decide, we need:", items=ITEMS)
    application.refresh_from_db()
    return client


def resident_web(applicant) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(applicant)
    return client


def test_round_trip_on_the_web(in_review, health_caseworker, applicant, wallet_document):
    staff = ask_from_the_admin(health_caseworker, in_review)

    # asked: waiting for the resident, the clock stopped, one message listing everything
    assert in_review.status == Status.AWAITING_INFORMATION
    assert in_review.clock_paused_at == timezone.make_aware(dt.datetime(2026, 9, 29, 9))
    info = InformationRequest.objects.get()
    assert (info.message, info.items, info.asked_by) == (
        "To decide, we need:", ["Proof of address", "The child's birth certificate"], health_caseworker
    )  # fmt: skip
    (message,) = Notification.objects.filter(recipient=applicant, event=Event.INFORMATION_REQUESTED, channel="in_app")
    assert message.payload["message"] == "To decide, we need:"
    assert message.payload["items"] == ["Proof of address", "The child's birth certificate"]

    # the resident sees it on the application's page and answers
    client = resident_web(applicant)
    detail = client.get(in_review.get_absolute_url()).content.decode()
    answer_url = reverse("applications:answer", args=[in_review.public_id, info.public_id])
    assert "The child&#x27;s birth certificate" in detail and answer_url in detail
    page = client.get(answer_url)
    assert page.status_code == 200 and "proof-of-address.pdf" in page.content.decode()

    nothing = client.post(answer_url, {"answer": "  "})
    assert "Write an answer or choose a document to send." in nothing.content.decode()
    in_review.refresh_from_db()
    assert in_review.status == Status.AWAITING_INFORMATION

    with at("2026-10-09 15:00"):
        sent = client.post(
            answer_url, {"answer": "Attached. The certificate follows.", "documents": [wallet_document.pk]}
        )
    assert sent.status_code == 302 and sent.url == in_review.get_absolute_url()

    # back in review, the clock running again: 30 Sep, 8 and 9 Oct stood still, so due Tue 13 Oct
    in_review.refresh_from_db()
    assert (in_review.status, in_review.clock_paused_at, in_review.paused_working_days) == (Status.IN_REVIEW, None, 3)
    assert in_review.due_date == dt.date(2026, 10, 13)
    info.refresh_from_db()
    assert info.answer == "Attached. The certificate follows." and list(info.documents.all()) == [wallet_document]
    assert in_review.document_links.get().document == wallet_document
    assert client.get(answer_url).status_code == 302  # answered: nothing more to answer

    # the caseworker reads the answer and opens the document from the page
    content = staff.get(change_url(in_review)).content.decode()
    assert "Attached. The certificate follows." in content
    assert reverse("admin:applications_application_document", args=[in_review.pk, wallet_document.public_id]) in content

    # every staff look and action is in the audit log, and the resident reads it (department and role only)
    actions = list(AuditEntry.objects.filter(application=in_review).order_by("id").values_list("action", flat=True))
    assert actions == ["view", "request_information", "view", "view"]
    log = client.get(reverse("applications:access_log", args=[in_review.public_id])).content.decode()
    assert "asked the resident for information" in log and "Caseworker" in log
    assert health_caseworker.email not in log


def test_round_trip_in_the_app(in_review, health_caseworker, applicant, wallet_document):
    ask_from_the_admin(health_caseworker, in_review)
    api = APIClient()
    api.force_authenticate(applicant)
    base = f"/api/v1/applications/{in_review.public_id}/information-requests/"

    (listed,) = api.get(base).json()
    assert listed["items"] == ["Proof of address", "The child's birth certificate"]
    assert listed["answered_at"] is None and listed["documents"] == []

    answer_url = f"{base}{listed['id']}/answer/"
    body = {"answer": "Here it is.", "documents": [str(wallet_document.public_id)]}
    with at("2026-10-09 15:00"):
        answered = api.post(answer_url, body, format="json", headers={"Idempotency-Key": "answer-1"})
        replayed = api.post(answer_url, body, format="json", headers={"Idempotency-Key": "answer-1"})

    assert answered.status_code == 200, answered.content
    assert answered.json()["documents"] == [str(wallet_document.public_id)]
    assert replayed.status_code == 200 and replayed["Idempotent-Replayed"] == "true"
    in_review.refresh_from_db()
    assert (in_review.status, in_review.due_date, in_review.paused_working_days) == (
        Status.IN_REVIEW, dt.date(2026, 10, 13), 3
    )  # fmt: skip
    assert in_review.events.filter(to_status=Status.IN_REVIEW, actor=applicant).count() == 1

    again = api.post(answer_url, {"answer": "More."}, format="json")
    assert_problem(again, 409, "invalid_transition")


def test_app_answers_that_are_refused(in_review, health_caseworker, applicant):
    ask_from_the_admin(health_caseworker, in_review)
    info = InformationRequest.objects.get()
    url = f"/api/v1/applications/{in_review.public_id}/information-requests/{info.public_id}/answer/"
    api = APIClient()
    api.force_authenticate(applicant)
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    someone_elses = DocumentFactory(owner=UserFactory())

    assert error_fields(assert_problem(api.post(url, {}, format="json"), 400)) == {"answer"}
    body = {"documents": [str(someone_elses.public_id)]}
    assert error_fields(assert_problem(api.post(url, body, format="json"), 400)) == {"documents"}
    assert error_fields(assert_problem(api.post(url, {"answer": "x", "extra": 1}, format="json"), 400)) == {"extra"}
    assert_problem(stranger.post(url, {"answer": "x"}, format="json"), 404)
    assert_problem(stranger.get(f"/api/v1/applications/{in_review.public_id}/information-requests/"), 404)
    in_review.refresh_from_db()
    assert in_review.status == Status.AWAITING_INFORMATION


def test_asking_needs_a_list_and_cannot_be_sent_twice_from_one_page(in_review, health_caseworker):
    """Nothing listed is refused; a double click (the same page's version twice) asks once."""
    client = logged_in(health_caseworker)
    url = reverse("admin:applications_application_act", args=[in_review.pk])

    empty = client.post(url, {"action": "request_information", "version": in_review.version, "items": " \n "})
    data = {"action": "request_information", "version": in_review.version, "items": ITEMS}
    client.post(url, data)
    client.post(url, data)

    assert empty.status_code == 302
    assert InformationRequest.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditAction.REQUEST_INFORMATION).count() == 1


def test_only_the_handler_asks(in_review, health):
    from services.common.errors import NotAllowed
    from tests.factories import StaffFactory

    with pytest.raises(NotAllowed):
        application_request_information(
            application=in_review, by=StaffFactory(department=health), message="", items=["x"]
        )
    assert not InformationRequest.objects.exists()


def test_document_types_asked_in_english_reach_a_chinese_resident_in_chinese(
    service, health_caseworker, django_capture_on_commit_callbacks
):
    """A document type is stored as itself and worded for each reader: the English caseworker ticks it (told that
    the resident reads Chinese); the resident's page, timeline, inbox, email and app show its Chinese name, while
    the caseworker's own words stay as written."""
    hukou = DocumentTypeFactory(code="household-register", name_zh="户口簿", name_en="Household register")
    service.document_types.add(hukou)
    applicant = ResidentProfileFactory(preferred_language="zh-hans", notify_by_email=True).user
    application = ApplicationFactory(service=service, applicant=applicant, in_review=True, assignee=health_caseworker)
    staff = logged_in(health_caseworker)

    form = staff.get(change_url(application)).content.decode()
    assert "The resident reads 简体中文" in form
    assert 'name="document_types" value="household-register" checked' in form  # not attached yet: ticked
    with django_capture_on_commit_callbacks(execute=True):
        act(staff, application, "request_information", message="", items="Bank statement", document_types=[
            "household-register"
        ])  # fmt: skip

    info = InformationRequest.objects.get()
    assert list(info.document_types.all()) == [hukou] and info.items == ["Bank statement"]
    resident = Client(headers={"accept-language": "zh-hans"})
    resident.force_login(applicant)
    page = resident.get(application.get_absolute_url()).content.decode()
    assert "<li>户口簿</li>" in page and "Household register" not in page
    assert "待补充信息" in page
    inbox = resident.get(reverse("notifications:inbox")).content.decode()
    assert "• 户口簿" in inbox and "• Bank statement" in inbox and "Household register" not in inbox
    [email] = mail.outbox
    assert "• 户口簿" in email.body and "Household register" not in email.body
    api = APIClient()
    api.force_authenticate(applicant)
    (listed,) = api.get(
        f"/api/v1/applications/{application.public_id}/information-requests/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    assert (listed["items"], listed["document_types"]) == (["户口簿", "Bank statement"], ["household-register"])

    # the caseworker reads it in English, in staff words
    staff_page = staff.get(change_url(application)).content.decode()
    assert "Household register" in staff_page and "Waiting for the resident&#x27;s information" in staff_page
