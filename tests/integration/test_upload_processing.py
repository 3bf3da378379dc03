"""Uploads off the request path, with a real documents worker on PostgreSQL and Redis: the upload answers once the
bytes are stored and sniffed, while the worker is still checking them; the document opens once the worker has
checked and cleaned it; a worker killed half-way leaves the document pending, and the sweep has it processed again.

The virus scanner is a stand-in clamd of this test (the edge of the world) that answers only when the test lets it,
so "while the worker is still at it" is a state the test holds, not a race it hopes to win.
"""

import io
import json
import socket
import struct
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from services.common.storage import private_storage
from services.documents.models import Document, ScanStatus
from services.documents.tasks import sweep_unprocessed
from tests.documents.files import image
from tests.factories import DocumentTypeFactory

from .conftest import Worker, wait_for, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


class HeldClamd:
    """A clamd that reads each INSTREAM and answers "OK" only once ``release()`` was called; ``scanning`` is set
    while a worker waits on it."""

    def __init__(self, path: str):
        self.path, self.released, self.scanning, self.scans = path, threading.Event(), threading.Event(), 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn):
        with conn:
            try:
                conn.recv(10)  # zINSTREAM\0 (its bytes are not checked here: tests/documents/test_scanning.py does)
                while size := struct.unpack(">I", self._read(conn, 4))[0]:
                    self._read(conn, size)
                self.scans += 1
                self.scanning.set()
                self.released.wait(120)
                conn.sendall(b"stream: OK\0")
            except (OSError, struct.error):
                return  # the worker died while we held it

    @staticmethod
    def _read(conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            part = conn.recv(n - len(data))
            if not part:
                raise OSError("closed")
            data += part
        return data

    def release(self):
        self.released.set()

    def close(self):
        self.server.close()


@pytest.fixture
def held_clamd(tmp_path):
    clamd = HeldClamd(str(tmp_path / "clamd.sock"))
    yield clamd
    clamd.release()
    clamd.close()


@pytest.fixture
def documents_worker(real_services, held_clamd, tmp_path, settings, publish_to_broker):
    """A documents worker scanning with the held clamd and sharing this test's documents folder."""
    folder = tmp_path / "documents"
    folder.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}},
    }
    settings.DOCUMENT_SCANNER, settings.CLAMD_URL = "clamd", f"unix://{held_clamd.path}"
    env = {
        **worker_env(real_services),
        "DOCUMENT_SCANNER": "clamd",
        "CLAMD_URL": f"unix://{held_clamd.path}",
        "DOCUMENTS_STORAGE_OPTIONS": json.dumps({"location": str(folder)}),
    }
    worker = Worker(env, "documents", "documents-processing").start()
    yield worker
    worker.stop()


def _photo() -> bytes:
    """A photo with a GPS position in its EXIF, taken sideways."""
    return image("JPEG", size=(1200, 800))


def _upload(resident, data: bytes):
    api = APIClient()
    api.force_authenticate(resident)
    document_type = DocumentTypeFactory()
    upload = SimpleUploadedFile("photo.jpg", data)
    return api.post("/api/v1/documents/", {"file": upload, "document_type": document_type.code}, format="multipart")


def test_an_upload_answers_before_processing_and_the_document_becomes_ready(documents_worker, held_clamd, resident):
    """201 while the worker is still scanning (held): pending, not downloadable; released, it is ready, cleaned."""
    data = _photo()

    response = _upload(resident, data)

    assert response.status_code == 201, response.content
    assert response.json()["scan_status"] == "pending"
    held_clamd.scanning.wait(30)  # the worker has the upload in hand, and the answer was already given
    document = Document.objects.get()
    assert document.scan_status == ScanStatus.PENDING
    with private_storage().open(document.stored_name) as stored:
        assert stored.read() == data  # as uploaded: the request did not decode it, the worker will
    api = APIClient()
    api.force_authenticate(resident)
    assert api.get(f"/api/v1/documents/{document.public_id}/file/").status_code == 409

    held_clamd.release()
    wait_for(
        lambda: Document.objects.filter(scan_status=ScanStatus.CLEAN).exists(),
        what="the worker to check and clean the upload",
        workers=[documents_worker],
    )
    file = api.get(f"/api/v1/documents/{document.public_id}/file/")
    assert file.status_code == 200
    kept = b"".join(file.streaming_content)
    picture = Image.open(io.BytesIO(kept))
    assert not picture.getexif() and picture.size == (800, 1200)  # no GPS left, turned upright
    assert kept != data


def test_a_worker_killed_while_processing_leaves_the_document_to_the_sweep(
    documents_worker, held_clamd, resident, settings
):
    """SIGKILL mid-processing: the document stays pending with its upload intact (nobody can open it); a new
    worker and the sweep process it to ready."""
    response = _upload(resident, _photo())
    assert response.status_code == 201
    assert held_clamd.scanning.wait(30), documents_worker.log.read_text()[-2000:]

    documents_worker.kill()

    document = Document.objects.get()
    assert document.scan_status == ScanStatus.PENDING
    held_clamd.release()
    documents_worker.start()
    settings.DOCUMENT_SCAN_SWEEP_AFTER_SECONDS = -1
    assert sweep_unprocessed.apply().get() == 1  # published again, to the broker
    wait_for(
        lambda: Document.objects.filter(pk=document.pk, scan_status=ScanStatus.CLEAN).exists(),
        what="the swept document to be processed by the new worker",
        workers=[documents_worker],
    )
    assert held_clamd.scans == 2
