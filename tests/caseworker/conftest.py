import pytest
from django.test import Client
from django.urls import reverse

from services.accounts.models import DepartmentMembership
from services.applications.actions import document_attach
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, DocumentFactory, ResidentProfileFactory, ServiceFactory, StaffFactory

CHANGELIST = reverse("admin:applications_application_changelist")


def change_url(application) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


def act_url(application) -> str:
    return reverse("admin:applications_application_act", args=[application.pk])


def logged_in(user, **kwargs) -> Client:
    """Return a client signed in as ``user`` (staff as the portal's login leaves them: with two factors),
    reading the admin in English."""
    client = Client(headers={"accept-language": "en"}, **kwargs)
    if user.is_staff:
        return staff_login(client, user)
    client.force_login(user)
    return client


def act(client, application, action: str, **data):
    """Press a button of the application page, as the page would post it (with the version it showed); approve and
    reject are then confirmed for the letter shown, when one is."""
    application.refresh_from_db()
    data = {"action": action, "version": application.version, **data}
    response = client.post(act_url(application), data, follow=True)
    fingerprint = response.context and response.context.get("fingerprint")
    if action in ("approve", "reject") and fingerprint:
        response = client.post(act_url(application), {**data, "confirm": fingerprint}, follow=True)
    return response


@pytest.fixture
def health_supervisor(health):
    return StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)


@pytest.fixture
def superuser():
    return StaffFactory(is_superuser=True)


@pytest.fixture
def applicant():
    return ResidentProfileFactory(legal_name="王小明", id_number="11010519491231002X").user


@pytest.fixture
def health_application(service, applicant):
    return ApplicationFactory(service=service, applicant=applicant, routed=True, due_date="2026-12-31")


@pytest.fixture
def education_application(education):
    return ApplicationFactory(service=ServiceFactory(department=education), routed=True, due_date="2026-12-31")


@pytest.fixture
def attached_document(health_application, applicant):
    document = DocumentFactory(owner=applicant, original_name="户口簿.pdf")
    document_attach(application=health_application, document=document, by=applicant)
    return document
