"""Assurance per service: each service states the sign-in it needs; the page and the API say it and offer the
step-up; submitting on the web or through the API with a lower level is refused with the reason."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from services.applications.models import Status
from services.catalogue.data import REAL_NAME_SERVICES, SERVICES
from services.identity.models import Assurance, IdentityLink
from tests.factories import ApplicationFactory, ServiceFactory, UserFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db
LEVELS = list(Assurance.values)


def account_at(level: str):
    user = UserFactory()
    if level != Assurance.EMAIL:
        IdentityLink.objects.create(
            user=user, issuer="https://idp.example", subject=f"s-{user.pk}", assurance=level, verified_at=timezone.now()
        )
    return user


def allowed(user_level: str, service_level: str) -> bool:
    return LEVELS.index(user_level) >= LEVELS.index(service_level)


@pytest.mark.parametrize("service_level", LEVELS)
@pytest.mark.parametrize("user_level", LEVELS)
def test_web_submission_by_level(client, user_level, service_level):
    """The check page submits when the account's level is enough, else shows the reason and the step-up."""
    user = account_at(user_level)
    draft = ApplicationFactory(applicant=user, service=ServiceFactory(assurance=service_level))
    client.force_login(user)
    client.cookies["django_language"] = "en"

    response = client.post(reverse("applications:check", kwargs={"public_id": draft.public_id}))

    draft.refresh_from_db()
    if allowed(user_level, service_level):
        assert response.status_code == 302 and draft.status == Status.SUBMITTED
    else:
        assert response.status_code == 200 and draft.status == Status.DRAFT
        assert_accessible(response)
        html = response.content.decode()
        assert "needs a stronger sign-in" in html and "Verified real-name identity" in html


@pytest.mark.parametrize("service_level", LEVELS)
@pytest.mark.parametrize("user_level", LEVELS)
def test_api_submission_by_level(user_level, service_level):
    """The API submits, or answers 403 ``assurance_required`` naming the level needed."""
    user = account_at(user_level)
    draft = ApplicationFactory(applicant=user, service=ServiceFactory(assurance=service_level))
    api = APIClient()
    api.force_authenticate(user)

    response = api.post(f"/api/v1/applications/{draft.public_id}/submit/", HTTP_ACCEPT_LANGUAGE="en")

    if allowed(user_level, service_level):
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 403 and response.json()["code"] == "assurance_required"
        assert "Verified real-name identity" in response.json()["detail"]


def test_every_catalogue_service_states_its_level():
    """Benefits and places need a verified identity; the rest an email account."""
    levels = {spec["slug"]: spec["assurance"] for spec in SERVICES}

    assert {slug for slug, level in levels.items() if level == Assurance.REAL_NAME} == REAL_NAME_SERVICES
    assert levels["job-seeker-registration"] == Assurance.EMAIL


def test_the_service_page_and_api_say_what_is_needed_and_offer_the_step_up(client, settings):
    settings.IDENTITY_PROVIDERS = [
        {"id": "demo", "issuer": "https://idp.example", "client_id": "c", "name_zh": "随申办", "name_en": "Suishenban"}
    ]
    service = ServiceFactory(assurance=Assurance.REAL_NAME)
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory())

    html = client.get(f"/services/{service.slug}/").content.decode()
    body = APIClient().get(f"/api/v1/services/{service.slug}/").json()

    assert "Sign-in needed to apply" in html and "Verified real-name identity" in html
    assert "/identity/demo/login/?link=1" in html
    assert body["assurance"] == "real_name"
