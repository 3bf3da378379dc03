import pytest
from django.utils import translation

from tests.api.conftest import anonymous_client, resident_client  # noqa: F401 (fixtures)
from tests.documents.conftest import id_card, upload_processed  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def document_storage(settings, tmp_path):
    """Keep each test's documents in a folder of its own."""
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


@pytest.fixture(autouse=True)
def english():
    """Read the actions' messages in English (pages and API calls choose their language per request)."""
    with translation.override("en"):
        yield
