"""The virus check fails closed: a document is pending until the scanner says clean; a scanner that is down
or answers with an error leaves it pending, and harmful content is deleted.

These tests talk to a stand-in clamd on a unix socket; tests/integration/test_documents_notifications.py
runs the real clamd with the EICAR test file.
"""

import socket
import struct
import threading

import pytest
from celery.exceptions import Retry
from django.core.files.uploadedfile import SimpleUploadedFile

from services.documents.actions import document_process, document_upload
from services.documents.models import Document, ScanStatus
from services.documents.scanning import ClamdScanner, ScannerUnavailable
from services.documents.tasks import process_document, sweep_unprocessed

from .conftest import stored_files
from .files import pdf

pytestmark = pytest.mark.django_db


class FakeClamd:
    """Answer every INSTREAM with ``reply`` after reading the whole stream; remember what was sent."""

    def __init__(self, path, reply: bytes):
        self.path, self.reply, self.received = str(path), reply, []
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(self.path)
        self.server.listen()
        threading.Thread(target=self._serve, daemon=True).start()

    def _read(self, conn, n: int) -> bytes:
        data = b""
        while len(data) < n:
            data += conn.recv(n - len(data))
        return data

    def _serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                assert self._read(conn, 10) == b"zINSTREAM\0"
                stream = b""
                while size := struct.unpack(">I", self._read(conn, 4))[0]:
                    stream += self._read(conn, size)
                self.received.append(stream)
                conn.sendall(self.reply)

    def close(self):
        self.server.close()


@pytest.fixture
def clamd_replying(settings, tmp_path_factory):
    """Start a stand-in clamd with the given reply and point the settings at it."""
    started = []

    def start(reply: bytes) -> FakeClamd:
        fake = FakeClamd(tmp_path_factory.mktemp("clamd") / "clamd.sock", reply)
        started.append(fake)
        settings.DOCUMENT_SCANNER, settings.CLAMD_URL = "clamd", f"unix://{fake.path}"
        return fake

    yield start
    for fake in started:
        fake.close()


@pytest.fixture
def scanner_down(settings, tmp_path):
    settings.DOCUMENT_SCANNER, settings.CLAMD_URL = "clamd", f"unix://{tmp_path}/no-clamd-here.sock"


def upload_pdf(resident, id_card, django_capture_on_commit_callbacks, *, execute=False):
    with django_capture_on_commit_callbacks(execute=execute) as callbacks:
        document, _ = document_upload(
            owner=resident, document_type=id_card, upload=SimpleUploadedFile("scan.pdf", pdf(1))
        )
    return document, callbacks


def test_with_a_scanner_an_upload_is_pending_and_its_scan_is_queued(
    resident, id_card, scanner_down, django_capture_on_commit_callbacks
):
    document, callbacks = upload_pdf(resident, id_card, django_capture_on_commit_callbacks)

    assert document.scan_status == ScanStatus.PENDING
    assert len(callbacks) == 1  # process_document, published after commit


def test_scanner_down_leaves_the_document_pending_never_clean(
    resident, id_card, scanner_down, django_capture_on_commit_callbacks
):
    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks)

    with pytest.raises(ScannerUnavailable):
        document_process(document_id=document.pk)

    document.refresh_from_db()
    assert (document.scan_status, document.scanned_at) == (ScanStatus.PENDING, None)


def test_the_scan_task_is_retried_while_the_scanner_is_down(
    resident, id_card, scanner_down, django_capture_on_commit_callbacks
):
    """The task asks Celery to try again later (with backoff) instead of deciding anything."""
    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks)

    with pytest.raises(Retry):
        process_document.apply(args=[document.pk])

    assert Document.objects.get(pk=document.pk).scan_status == ScanStatus.PENDING


@pytest.mark.parametrize(
    ("policy", "countdowns"),
    [
        ({"max_retries": 2, "retry_backoff": 3, "retry_backoff_max": 300, "retry_jitter": False}, [3, 6]),
        ({"max_retries": 4, "retry_backoff": 5, "retry_backoff_max": 15, "retry_jitter": False}, [5, 10, 15, 15]),
    ],
)
def test_the_scan_retries_follow_the_policy_in_settings_when_it_runs(
    policy, countdowns, resident, id_card, scanner_down, settings, task_retries, django_capture_on_commit_callbacks
):
    """Overriding DOCUMENT_SCAN_TASK_RETRY after the task was declared changes how often and when it retries;
    once they are spent the task fails and the document stays pending (for the sweep)."""
    settings.DOCUMENT_SCAN_TASK_RETRY = policy
    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks)

    result = process_document.apply(args=[document.pk])

    assert task_retries == countdowns
    assert isinstance(result.result, ScannerUnavailable)
    assert Document.objects.get(pk=document.pk).scan_status == ScanStatus.PENDING


def test_a_scanner_error_answer_is_not_clean(resident, id_card, clamd_replying, django_capture_on_commit_callbacks):
    clamd_replying(b"INSTREAM size limit exceeded. ERROR\0")
    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks)

    with pytest.raises(ScannerUnavailable, match="size limit exceeded"):
        document_process(document_id=document.pk)

    assert Document.objects.get(pk=document.pk).scan_status == ScanStatus.PENDING


def test_clean_answer_makes_it_clean(resident, id_card, clamd_replying, django_capture_on_commit_callbacks):
    """The upload's scan runs after commit, streams the stored bytes, and the document becomes clean."""
    fake = clamd_replying(b"stream: OK\0")

    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks, execute=True)

    document.refresh_from_db()
    assert document.scan_status == ScanStatus.CLEAN and document.scanned_at
    assert fake.received == [pdf(1)]


def test_harmful_content_is_refused_and_deleted(
    resident, id_card, clamd_replying, document_storage, django_capture_on_commit_callbacks
):
    clamd_replying(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")

    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks, execute=True)

    document.refresh_from_db()
    assert (document.scan_status, document.scan_finding) == (ScanStatus.INFECTED, "Win.Test.EICAR_HDB-1")
    assert not stored_files(document_storage)


def test_a_second_scan_changes_nothing(resident, id_card, clamd_replying, django_capture_on_commit_callbacks):
    fake = clamd_replying(b"stream: OK\0")
    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks, execute=True)

    document_process(document_id=document.pk)  # a redelivered task

    assert len(fake.received) == 1


def test_the_sweep_publishes_the_scan_of_old_pending_documents(
    resident, id_card, clamd_replying, settings, django_capture_on_commit_callbacks
):
    clamd_replying(b"stream: OK\0")
    document, _ = upload_pdf(resident, id_card, django_capture_on_commit_callbacks)  # its message "lost"
    settings.DOCUMENT_SCAN_SWEEP_AFTER_SECONDS = -1

    assert sweep_unprocessed.apply().get() == 1

    assert Document.objects.get(pk=document.pk).scan_status == ScanStatus.CLEAN


def test_clamd_url_must_be_unix_or_tcp():
    with pytest.raises(ScannerUnavailable, match="CLAMD_URL"):
        ClamdScanner("http://127.0.0.1:3310").scan(b"x")
