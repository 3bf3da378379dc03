"""Uploads that cannot take a worker down or run in a caseworker's browser: an image over DOCUMENT_MAX_PIXELS is
refused from its header, before it is decoded; a PDF with scripts, launch actions or attached files is refused."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from services.common.errors import ValidationFailed
from services.documents.actions import document_upload
from services.documents.models import Document, Refusal, ScanStatus
from tests.documents.files import pdf

pytestmark = pytest.mark.django_db


def _upload(owner, document_type, name: str, data: bytes):
    return document_upload(
        owner=owner, document_type=document_type, upload=SimpleUploadedFile(name, data), expires_on=None
    )


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")  # one bit a pixel, all zero: a few hundred KB
    return out.getvalue()


def test_an_image_over_the_pixel_limit_is_refused_before_it_is_decoded(resident, id_card, settings):
    """A small PNG of 9400 x 9400 pixels (under Pillow's own limit) is refused at once with a clear message."""
    bomb = _png(9400, 9400)
    assert len(bomb) < 1_000_000 and settings.DOCUMENT_MAX_PIXELS < 9400 * 9400

    started = time.monotonic()
    with pytest.raises(ValidationFailed) as refused:
        _upload(resident, id_card, "scan.png", bomb)

    assert time.monotonic() - started < 2  # decoding it took 7.8 s
    assert "too many pixels" in str(refused.value)
    assert not Document.objects.exists()


def _pdf_with(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _open_action(kind: str, key: str, value: str):
    """An action run when the PDF opens: /S ``kind`` with ``key`` (the script, the program)."""

    def change(writer):
        action = DictionaryObject({NameObject("/S"): NameObject(kind), NameObject(key): TextStringObject(value)})
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return change


ACTIVE_PDFS = {
    "javascript": _open_action("/JavaScript", "/JS", "app.alert('hello');"),
    "launch-action": _open_action("/Launch", "/F", "cmd.exe"),
    "embedded-file": lambda writer: writer.add_attachment("payload.exe", b"MZ" + bytes(100)),
}


@pytest.mark.parametrize("make", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_a_pdf_that_can_run_something_is_refused(make, resident, id_card, upload_processed, client):
    """Scripts, launch actions and attached files are refused by the documents queue, saying what to do, before
    anyone can open the file; a plain PDF is taken."""
    document, _ = upload_processed(resident, id_card, "form.pdf", _pdf_with(make))

    assert (document.scan_status, document.refusal) == (ScanStatus.REFUSED, Refusal.ACTIVE)
    assert "contains scripts, actions or attached files" in document.refusal_text
    client.force_login(resident)
    assert client.get(f"/documents/{document.public_id}/download/").status_code == 409
    assert upload_processed(resident, id_card, "plain.pdf", pdf(1))[0].scan_status == ScanStatus.CLEAN


def test_a_pending_document_opens_for_nobody(resident, id_card, client):
    """Until the documents queue has checked and cleaned it, a document does not open, not even for its owner (staff:
    tests/documents/test_access.py)."""
    document, _ = _upload(resident, id_card, "scan.pdf", pdf(1))  # on_commit not run: the worker has not seen it

    assert document.scan_status == ScanStatus.PENDING
    client.force_login(resident)
    assert client.get(f"/documents/{document.public_id}/download/").status_code == 409
    assert f"/documents/{document.public_id}/download/" not in client.get("/documents/").content.decode()
