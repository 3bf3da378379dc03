"""Accessibility basics on every resident page, in both languages, with and without form errors.

Each page must declare its language, offer a skip link to #main, have exactly one h1, label every
form control (a <label for> or a fieldset legend), and tie each error message to its field with
aria-describedby (see tests/web/html.py).
"""

import pytest
from django.urls import reverse

from services.applications.models import Application, Status
from tests.factories import ApplicationFactory, ServiceFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "/",
    "/services/",
    "/services/?q=nothing-matches",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
SIGNED_IN_PAGES = [
    "/profile/",
    "/documents/",
    "/notifications/",
    "/applications/",
    "/accounts/logout/",
    "/accounts/email/",
    "/accounts/password/change/",
]
BAD_POSTS = [
    ("/accounts/login/", {"login": "not-an-email", "password": ""}),
    ("/accounts/signup/", {"email": "x", "password1": "short", "password2": "other"}),
    ("/accounts/password/reset/", {"email": "not-an-email"}),
]


@pytest.fixture(params=["zh-hans", "en"])
def language_client(request, client):
    client.cookies["django_language"] = request.param
    client.language = request.param
    return client


@pytest.mark.parametrize("url", ANONYMOUS_PAGES)
def test_public_pages(language_client, service, url):
    """Pages anyone can see meet the basics and declare the chosen language."""
    page = assert_accessible(language_client.get(url))

    assert page.html_lang == {"zh-hans": "zh-Hans", "en": "en"}[language_client.language]


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_pages(language_client, resident, url):
    """Pages behind sign-in, including allauth's account management, meet the basics."""
    language_client.force_login(resident)

    assert_accessible(language_client.get(url))


@pytest.mark.parametrize(("url", "data"), BAD_POSTS)
def test_allauth_forms_with_errors(language_client, url, data):
    """allauth's forms, rendered through the portal's form partial, link each error to its field."""
    page = assert_accessible(language_client.post(url, data))

    assert page.error_ids


def test_service_and_application_pages(language_client, resident, service, health_caseworker):
    """The service page, the form (empty and with errors) and an application's pages meet the basics."""
    from services.applications.actions import application_claim, application_decide

    language_client.force_login(resident)
    assert_accessible(language_client.get(service.get_absolute_url()))
    step_url = language_client.get(reverse("applications:apply", kwargs={"slug": service.slug})).url
    assert_accessible(language_client.get(step_url))
    with_errors = assert_accessible(language_client.post(step_url, {"children": "many", "start_date": "someday"}))
    assert len(with_errors.error_ids) == 4  # full_name, start_date, urgent (a fieldset), children
    draft = Application.objects.get(applicant=resident)
    check_url = reverse("applications:check", kwargs={"public_id": draft.public_id})
    assert_accessible(language_client.get(check_url))
    assert_accessible(language_client.post(check_url))  # incomplete: the problems, linked to their steps

    application = ApplicationFactory(applicant=resident, service=service, routed=True)
    assert_accessible(language_client.get(application.get_absolute_url()))
    assert_accessible(
        language_client.get(reverse("applications:submitted", kwargs={"public_id": application.public_id}))
    )
    application = application_claim(application=application, by=health_caseworker)
    application = application_decide(application=application, by=health_caseworker, approve=True)
    assert application.status == Status.APPROVED
    assert_accessible(language_client.get(application.get_absolute_url()))


def test_profile_with_errors(language_client, resident):
    """The profile form with errors meets the basics."""
    language_client.force_login(resident)

    page = assert_accessible(
        language_client.post(
            "/profile/", {"id_number": "123", "phone": "1", "district": "mars", "preferred_language": "en"}
        )
    )

    assert set(page.error_ids) == {"id_id_number_error", "id_phone_error", "id_district_error"}


def test_radio_group_errors_are_described_on_the_fieldset(client, resident):
    """A yes/no question's error is tied to its fieldset, whose legend names the question."""
    client.force_login(resident)
    service = ServiceFactory(department__code="health")

    step_url = client.get(reverse("applications:apply", kwargs={"slug": service.slug})).url
    html = client.post(step_url, {}).content.decode()

    assert '<fieldset aria-describedby="id_urgent_error">' in html
    assert '<p class="error-message" id="id_urgent_error">' in html


def test_pages_use_only_same_origin_assets(client, service):
    """No page loads anything from another origin (the CSP forbids it, so it would break)."""
    html = client.get("/").content.decode()

    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    assert "<script" not in html
