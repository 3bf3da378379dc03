"""Who may open a document: the owner, and staff of a department handling an application that uses it,
only once it is clean; everyone else gets a 404 (whether it exists is not revealed)."""

from urllib.parse import quote

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from bench.tools import _session_for
from services.applications.actions import document_attach
from services.audit.models import AuditAction, AuditEntry
from services.common.errors import InvalidTransition, NotAllowed
from services.documents.models import ScanStatus
from tests.api.problems import assert_problem
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db

CONTENT = b"%PDF-1.4 the applicant's household register"


@pytest.fixture
def document(resident, id_card):
    return DocumentFactory(owner=resident, document_type=id_card, original_name="户口簿.pdf", content=CONTENT)


@pytest.fixture
def routed_application(resident, service, document):
    """An application in the health department's queue, with the document attached."""
    application = ApplicationFactory(applicant=resident, service=service, routed=True)
    document_attach(application=application, document=document, by=resident)
    return application


def url(document) -> str:
    return f"/documents/{document.public_id}/download/"


def as_user(client, user):
    """Sign ``user`` in: staff as the portal's login leaves them (two factors), residents with their password."""
    if user is not None and user.is_staff:
        return staff_login(client, user)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("other_resident", 404), ("health_caseworker", 200), ("education_caseworker", 404)],
)
def test_download_access_matrix(client, resident, health_caseworker, education_caseworker, document,
                                routed_application, who, expected):  # fmt: skip
    user = {
        "owner": resident,
        "other_resident": UserFactory(),
        "health_caseworker": health_caseworker,
        "education_caseworker": education_caseworker,
    }[who]

    response = as_user(client, user).get(url(document))

    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == CONTENT
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('户口簿.pdf')}"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "no-store"


def test_anonymous_is_sent_to_sign_in(client, document, routed_application):
    response = client.get(url(document))

    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_unknown_document_is_a_404(client, resident):
    assert as_user(client, resident).get("/documents/00000000-0000-0000-0000-000000000000/download/").status_code == 404


def test_staff_cannot_open_a_document_not_attached_to_their_applications(client, health_caseworker, document):
    """Being a caseworker gives no access to residents' wallets, only to what their applications use."""
    assert as_user(client, health_caseworker).get(url(document)).status_code == 404


def test_staff_cannot_open_a_document_of_a_draft(client, resident, service, health_caseworker, document):
    """A draft is in no department's queue yet."""
    draft = ApplicationFactory(applicant=resident, service=service)
    document_attach(application=draft, document=document, by=resident)

    assert as_user(client, health_caseworker).get(url(document)).status_code == 404


@pytest.mark.parametrize("scan_status", [ScanStatus.PENDING, ScanStatus.INFECTED])
def test_nobody_opens_a_document_before_it_is_clean(client, resident, health_caseworker, document,
                                                    routed_application, scan_status):  # fmt: skip
    """Pending (still being checked) or infected: a 409 page that says so, for staff and owner alike."""
    document.scan_status = scan_status
    document.save()
    client.cookies["django_language"] = "en"

    for user in (health_caseworker, resident):
        response = as_user(client, user).get(url(document))
        assert response.status_code == 409
        assert "virus check" in response.content.decode() or "checked for viruses" in response.content.decode()


def test_nginx_sends_the_file_when_configured(client, resident, document, settings):
    settings.DOCUMENTS_X_ACCEL_REDIRECT = "/protected-documents/"

    response = as_user(client, resident).get(url(document))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-documents/{document.stored_name}"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "no-store"


def test_staff_downloads_are_audited(client, health_caseworker, resident, document, routed_application):
    """A staff opening is written to the audit log with the application it was seen through; the owner's is not."""
    as_user(client, health_caseworker).get(url(document))
    as_user(client, resident).get(url(document))

    (entry,) = AuditEntry.objects.all()
    assert (entry.actor, entry.action, entry.document, entry.application) == (
        health_caseworker, AuditAction.VIEW_DOCUMENT, document, routed_application
    )  # fmt: skip


# --- API --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("other_resident", 404), ("health_caseworker", 200), ("education_caseworker", 404), (None, 401)],
)
def test_api_download_access_matrix(resident, health_caseworker, education_caseworker, document,
                                    routed_application, who, expected):  # fmt: skip
    api = APIClient()
    user = {
        "owner": resident,
        "other_resident": UserFactory(),
        "health_caseworker": health_caseworker,
        "education_caseworker": education_caseworker,
        None: None,
    }[who]
    if user:  # staff's app token signed in with two factors
        api.credentials(HTTP_X_SESSION_TOKEN=_session_for(user, with_totp=user.is_staff))

    response = api.get(f"/api/v1/documents/{document.public_id}/file/")

    if expected == 200:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == CONTENT
        assert response["X-Content-Type-Options"] == "nosniff"
    else:
        assert_problem(response, expected)


def test_api_download_before_the_check_is_a_409_problem(resident, document):
    document.scan_status = ScanStatus.PENDING
    document.save()
    api = APIClient()
    api.force_authenticate(resident)

    assert_problem(api.get(f"/api/v1/documents/{document.public_id}/file/"), 409, "not_ready")


# --- Attaching --------------------------------------------------------------------------------------------


def test_a_wallet_document_is_attached_to_a_second_application_without_uploading_again(resident, service, document):
    """The same document serves two applications; attaching it again is a no-op."""
    first = ApplicationFactory(applicant=resident, service=service, routed=True)
    second = ApplicationFactory(applicant=resident, service=service)
    api = APIClient()
    api.force_authenticate(resident)

    for application in (first, second, second):
        response = api.post(
            f"/api/v1/applications/{application.public_id}/documents/",
            {"document": str(document.public_id)},
            format="json",
        )
        assert response.status_code == 201, response.content

    for application in (first, second):
        listed = api.get(f"/api/v1/applications/{application.public_id}/documents/").json()
        assert [d["id"] for d in listed] == [str(document.public_id)]
    assert document.application_links.count() == 2


def test_attach_refuses_foreign_decided_expired_and_infected(resident, service, document, id_card):
    from django.utils import timezone

    api = APIClient()
    api.force_authenticate(resident)
    mine = ApplicationFactory(applicant=resident, service=service)
    someone_elses = ApplicationFactory(service=service)
    strangers_document = DocumentFactory(document_type=id_card)

    def attach(application, doc):
        return api.post(
            f"/api/v1/applications/{application.public_id}/documents/",
            {"document": str(doc.public_id)},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert_problem(attach(someone_elses, document), 404)
    assert_problem(attach(mine, strangers_document), 404)
    expired = DocumentFactory(
        owner=resident, document_type=id_card, expires_on=timezone.localdate() - timezone.timedelta(days=1)
    )
    assert "expired on" in assert_problem(attach(mine, expired), 400)["errors"][0]["message"]
    infected = DocumentFactory(owner=resident, document_type=id_card, scan_status=ScanStatus.INFECTED)
    assert_problem(attach(mine, infected), 400)
    decided = ApplicationFactory(applicant=resident, service=service, approved=True)
    assert_problem(attach(decided, document), 409, "invalid_transition")
    assert not mine.document_links.exists()


def test_attach_action_refuses_what_the_resident_does_not_own(resident, service, document):
    with pytest.raises(InvalidTransition):
        document_attach(
            application=ApplicationFactory(applicant=resident, service=service, withdrawn=True),
            document=document,
            by=resident,
        )
    with pytest.raises(NotAllowed):
        document_attach(application=ApplicationFactory(service=service), document=document, by=resident)


def test_web_application_page_offers_wallet_documents_and_attaches_one(client, resident, service, document, id_card):
    """The application page lists the required types still missing and attaches a wallet document."""
    service.document_types.add(id_card)
    application = ApplicationFactory(applicant=resident, service=service, routed=True)
    client.force_login(resident)
    client.cookies["django_language"] = "en"

    page = client.get(application.get_absolute_url()).content.decode()
    assert "This service asks for:" in page and "Resident identity card" in page
    assert f'<option value="{document.public_id}">' in page

    attach = reverse("applications:attach_document", args=[application.public_id])
    response = client.post(attach, {"document": str(document.public_id)})

    assert response.status_code == 302 and response.url == application.get_absolute_url()
    page = client.get(application.get_absolute_url()).content.decode()
    assert "“户口簿.pdf” is attached to your application." in page
    assert "This service asks for:" not in page
    assert f"/documents/{document.public_id}/download/" in page


def test_web_attach_to_someone_elses_application_is_a_404(client, resident, service, document):
    client.force_login(resident)
    other = ApplicationFactory(service=service)

    response = client.post(f"/documents/attach/{other.public_id}/", {"document": str(document.public_id)})

    assert response.status_code == 404
    assert not other.document_links.exists()


def test_caseworker_sees_the_documents_in_the_admin(client, health_caseworker, routed_application, document):
    staff_login(client, health_caseworker)

    page = client.get(f"/admin/applications/application/{routed_application.pk}/change/").content.decode()

    inline = f"/admin/applications/application/{routed_application.pk}/documents/{document.public_id}/"
    assert inline in page and "户口簿.pdf" in page


def test_document_admin_is_for_superusers_only(client, health_caseworker, document):
    admin = UserFactory(is_staff=True, is_superuser=True)
    staff_login(client, admin)

    assert "户口簿.pdf" in client.get("/admin/documents/document/").content.decode()
    assert client.get(f"/admin/documents/document/{document.pk}/change/").status_code == 200
    staff_login(client, health_caseworker)
    assert client.get("/admin/documents/document/").status_code == 403
