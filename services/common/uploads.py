"""Uploaded files hashed as the request is read (FILE_UPLOAD_HANDLERS): one pass over the bytes, not one per reader.

Django's two handlers (small files in memory, larger ones in a temporary file that the documents' storage then moves
into place), each also feeding every chunk it keeps to a SHA-256: ``upload_sha256`` then costs nothing. The document
wallet keeps that hash (the same file is stored once) and the Idempotency-Key fingerprint covers it.
"""

import hashlib

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

# Django reads 64 KiB at a time by default: a 10 MB upload was 160 turns of the parser's loop, of gunicorn's reads
# and of the hash; in 1 MiB steps the web worker spent a fifth less CPU on it (docs/decisions.md).
CHUNK_SIZE = 1024 * 1024


class _HashWhileReading:
    """Feed every chunk the handler keeps to a SHA-256, left on the finished upload as ``upload.sha256``."""

    chunk_size = CHUNK_SIZE

    def new_file(self, *args, **kwargs):
        self._sha256 = hashlib.sha256()
        super().new_file(*args, **kwargs)  # the memory handler raises StopFutureHandlers here when it takes the file

    def receive_data_chunk(self, raw_data, start):
        passed_on = super().receive_data_chunk(raw_data, start)
        if passed_on is None:  # this handler kept the chunk
            self._sha256.update(raw_data)
        return passed_on

    def file_complete(self, file_size):
        upload = super().file_complete(file_size)
        if upload is not None:
            upload.sha256 = self._sha256.hexdigest()
        return upload


class HashingMemoryFileUploadHandler(_HashWhileReading, MemoryFileUploadHandler):
    """Keep a file up to FILE_UPLOAD_MAX_MEMORY_SIZE in memory, with its SHA-256."""


class HashingTemporaryFileUploadHandler(_HashWhileReading, TemporaryFileUploadHandler):
    """Write a larger file to a temporary file in FILE_UPLOAD_TEMP_DIR, with its SHA-256."""


def upload_sha256(upload) -> str:
    """Return the hex SHA-256 of an uploaded file: the one taken while the request was read, else read from it."""
    digest = getattr(upload, "sha256", None)
    if digest is None:  # a file that did not come through the handlers (a test's, a script's)
        hasher = hashlib.sha256()
        for chunk in upload.chunks():
            hasher.update(chunk)
        upload.seek(0)
        digest = hasher.hexdigest()
    return digest
