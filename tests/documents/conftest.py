import pytest
from django.utils import translation

from tests.factories import DocumentTypeFactory


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    """Keep each test's documents in its own folder; return that folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture
def id_card(db):
    return DocumentTypeFactory()


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.fixture(autouse=True)
def english():
    """Read the actions' messages in English (the web and API tests choose their language per request)."""
    with translation.override("en"):
        yield


@pytest.fixture
def upload_processed(django_capture_on_commit_callbacks):
    """Upload as a request does, then let the documents queue process it (after commit, in-process here); return
    (document, created), the document as the worker left it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from services.documents.actions import document_upload

    def upload(owner, document_type, name: str, data: bytes, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            document, created = document_upload(
                owner=owner, document_type=document_type, upload=SimpleUploadedFile(name, data), **fields
            )
        document.refresh_from_db()
        return document, created

    return upload
