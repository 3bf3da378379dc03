"""What an upload's request does with the bytes (issue 20 item 5): the file is never read whole there. Its hash is
taken as the request is read, its type and an image's size from its first bytes and headers, and a file spooled on
the documents' disk is moved into storage, not copied."""

import hashlib
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from services.documents.inspection import sniff_upload
from services.documents.models import Document

from .conftest import stored_files
from .files import image, pdf

pytestmark = pytest.mark.django_db


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    bytes_read = 0

    def read(self, size=-1):
        data = super().read(size)
        self.bytes_read += len(data)
        return data


@pytest.mark.parametrize("name, head", [("scan.pdf", pdf(2)), ("photo.jpg", image("JPEG", size=(600, 400)))])
def test_a_large_file_is_sniffed_from_its_first_bytes_and_headers(name, head):
    """A 5 MB PDF (checked for a ZIP from its end) or JPEG (its pixels counted from its header) is sniffed reading
    a few kilobytes of it, not the whole file."""
    data = head + b"\0" * 5_000_000
    file = CountingFile(data)

    sniffed = sniff_upload(name=name, file=file, size=len(data), max_bytes=10_000_000)

    assert sniffed.name == name
    assert file.bytes_read < 100_000


@pytest.mark.parametrize("name, data", [("scan.pdf", pdf(3)), ("photo.jpg", image("JPEG"))])
def test_a_large_upload_is_moved_into_storage_not_copied(resident, id_card, document_storage, settings, monkeypatch,
                                                         tmp_path_factory, name, data):  # fmt: skip
    """An upload over FILE_UPLOAD_MAX_MEMORY_SIZE is spooled to FILE_UPLOAD_TEMP_DIR while the request is read; on the
    documents' disk, that file is renamed into storage; nothing is left behind, and the hash is of the bytes sent."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path_factory.mktemp("incoming"))
    renamed, rename = [], os.rename
    monkeypatch.setattr(os, "rename", lambda old, new: (renamed.append((old, new)), rename(old, new)))
    assert len(data) > settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    api = APIClient()
    api.force_authenticate(resident)

    file = SimpleUploadedFile(name, data)
    response = api.post("/api/v1/documents/", {"file": file, "document_type": id_card.code}, format="multipart")

    assert response.status_code == 201, response.content
    document = Document.objects.get()
    [(old, new)] = renamed
    assert os.path.dirname(old) == settings.FILE_UPLOAD_TEMP_DIR and new == str(document_storage / document.stored_name)
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []
    [path] = stored_files(document_storage)
    assert path.read_bytes() == data and document.sha256 == hashlib.sha256(data).hexdigest()
