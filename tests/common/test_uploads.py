"""Uploaded files are hashed as the request is read (FILE_UPLOAD_HANDLERS), once, whichever handler keeps them."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser

from services.common.uploads import HashingMemoryFileUploadHandler, HashingTemporaryFileUploadHandler, upload_sha256


def parse_upload(data: bytes):
    """Parse a multipart body holding ``data`` as a file with the portal's upload handlers; return the file."""
    body = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + data + b"\r\n--b--\r\n"
    )
    meta = {"CONTENT_TYPE": "multipart/form-data; boundary=b", "CONTENT_LENGTH": str(len(body))}
    handlers = [HashingMemoryFileUploadHandler(), HashingTemporaryFileUploadHandler()]
    _fields, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    return files["file"]


@pytest.mark.parametrize("size, kept_in", [(1000, "memory"), (3_000_000, "a temporary file")])
def test_the_hash_is_taken_while_the_request_is_read(size, kept_in):
    """A small file (memory) and a large one (temporary file) both carry the SHA-256 of their bytes, and
    upload_sha256 returns it without reading the file again."""
    data = bytes(range(256)) * (size // 256)
    upload = parse_upload(data)

    assert hasattr(upload, "temporary_file_path") == (kept_in == "a temporary file")
    upload.chunks = None  # reading the file again would fail
    assert upload_sha256(upload) == upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.read() == data


def test_a_file_from_elsewhere_is_hashed_from_its_bytes():
    """A file that did not come through the handlers (a test's, a script's) is read for its hash, then rewound."""
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.7 " * 100_000)

    assert upload_sha256(upload) == hashlib.sha256(b"%PDF-1.7 " * 100_000).hexdigest()
    assert upload.read(5) == b"%PDF-"
