"""An approval or a rejection gives the resident a decision letter: a printable page in their preferred language
with the reference, the decision, the reason and how to appeal, which only they can download."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from services.applications.actions import application_decide
from services.applications.models import Status
from tests.factories import ApplicationFactory, ResidentProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def decided(service, caseworker, *, language: str, approve: bool, reason: str = ""):
    applicant = ResidentProfileFactory(legal_name="王小明", preferred_language=language).user
    application = ApplicationFactory(service=service, applicant=applicant, in_review=True, assignee=caseworker,
                                     submitted_at="2026-11-02T09:00+08:00")  # fmt: skip
    return application_decide(application=application, by=caseworker, approve=approve, reason=reason)


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_rejection_letter_in_english(service, health_caseworker):
    application = decided(service, health_caseworker, language="en", approve=False, reason="No proof of address.")

    response = web(application.applicant).get(reverse("applications:decision_letter", args=[application.public_id]))

    content = response.content.decode()
    assert response.status_code == 200 and '<html lang="en">' in content
    for expected in (
        "Decision: your application is not approved",
        application.reference,
        service.title_en,
        "王小明",
        "No proof of address.",
        "administrative reconsideration within 60 days",
        "Health department",
        "css/letter.css",
    ):
        assert expected in content, expected


def test_an_approval_letter_in_chinese_whatever_the_page_language(service, health_caseworker):
    """The letter follows the resident's preferred language, not the browser's."""
    application = decided(service, health_caseworker, language="zh-hans", approve=True)
    client = web(application.applicant)
    client.cookies["django_language"] = "en"

    content = client.get(reverse("applications:decision_letter", args=[application.public_id])).content.decode()

    assert '<html lang="zh-Hans">' in content
    assert "决定：您的申请已获批准" in content and service.title_zh in content and "行政复议" in content


def test_linked_from_the_application_page_once_decided(service, health_caseworker):
    application = decided(service, health_caseworker, language="en", approve=True)
    url = reverse("applications:decision_letter", args=[application.public_id])

    assert url in web(application.applicant).get(application.get_absolute_url()).content.decode()


def test_only_the_resident_gets_it_and_only_once_decided(service, health_caseworker):
    application = decided(service, health_caseworker, language="en", approve=True)
    undecided = ApplicationFactory(service=service, in_review=True)
    url = reverse("applications:decision_letter", args=[application.public_id])

    assert web(UserFactory()).get(url).status_code == 404
    assert web(health_caseworker).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    assert (
        web(undecided.applicant).get(reverse("applications:decision_letter", args=[undecided.public_id])).status_code
        == 404
    )
    assert undecided.status == Status.IN_REVIEW


def test_the_app_downloads_it(service, health_caseworker):
    application = decided(service, health_caseworker, language="en", approve=False, reason="Too late.")
    api = APIClient()
    api.force_authenticate(application.applicant)
    stranger = APIClient()
    stranger.force_authenticate(UserFactory())
    url = f"/api/v1/applications/{application.public_id}/decision-letter/"

    response = api.get(url)

    assert response.status_code == 200 and response["Content-Type"] == "text/html; charset=utf-8"
    assert "Too late." in response.content.decode()
    assert stranger.get(url).status_code == 404
