"""The API's upload and attach honour Idempotency-Key (safe retries from a phone on a bad network)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from services.documents.models import Document
from tests.api.problems import assert_problem
from tests.factories import ApplicationFactory

from .files import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(resident):
    client = APIClient()
    client.force_authenticate(resident)
    return client


def _upload(api, id_card, content: bytes, key: str):
    file = SimpleUploadedFile("scan.pdf", content, content_type="application/pdf")
    return api.post(
        "/api/v1/documents/",
        {"file": file, "document_type": id_card.code},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_retried_upload_replays_the_first_response(api, id_card):
    """Same key and same file: the first 201 is replayed; another file with that key is a 422."""
    first = _upload(api, id_card, pdf(2), "upload-1")
    again = _upload(api, id_card, pdf(2), "upload-1")
    different = _upload(api, id_card, pdf(3), "upload-1")

    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert_problem(different, 422, "idempotency_key_reused")
    assert Document.objects.count() == 1


def test_a_retried_attach_replays_the_first_response(api, id_card, resident):
    """Attaching with a key twice answers the first 201 again."""
    document_id = _upload(api, id_card, pdf(1), "upload-2").json()["id"]
    application = ApplicationFactory(applicant=resident)
    url = f"/api/v1/applications/{application.public_id}/documents/"

    first = api.post(url, {"document": document_id}, format="json", HTTP_IDEMPOTENCY_KEY="attach-1")
    again = api.post(url, {"document": document_id}, format="json", HTTP_IDEMPOTENCY_KEY="attach-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
