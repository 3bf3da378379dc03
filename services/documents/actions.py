"""Writes on the document wallet; the web, the API and tasks all call these."""

import datetime as dt
import logging
import os
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from services.api.throttling import limit_allows
from services.catalogue.models import DocumentType
from services.common.errors import TooMany, ValidationFailed
from services.common.storage import private_storage
from services.common.tasks import publish_on_commit
from services.common.uploads import upload_sha256
from services.notifications.actions import notify
from services.notifications.models import Event

from .inspection import Processed, Refused, process, sniff, sniff_upload
from .models import Document, Refusal, ScanStatus, refusal_message
from .scanning import get_scanner

logger = logging.getLogger(__name__)


def document_upload(
    *, owner, document_type: DocumentType, upload: UploadedFile, expires_on: dt.date | None = None
) -> tuple[Document, bool]:
    """Sniff and store an upload in the owner's wallet, pending until the documents queue has checked and cleaned it
    (``document_process``); return (document, created).

    The same file uploaded again is not stored twice: the document already in the wallet is returned. Each account
    uploads at most UPLOAD_FILES_RATE files and UPLOAD_BYTES_RATE bytes (TooMany beyond).
    """
    files_allowed = limit_allows(key=f"upload-files:{owner.pk}", rate=settings.UPLOAD_FILES_RATE)
    if not (files_allowed and limit_allows(key=f"upload-bytes:{owner.pk}", rate=settings.UPLOAD_BYTES_RATE,
                                           amount=upload.size or 0)):  # fmt: skip
        raise TooMany(_("You have uploaded a lot in the last hour. Try again later."))
    if expires_on and expires_on < timezone.localdate():
        message = _("This document expired on %(date)s. Upload one that is still valid.") % {
            "date": date_format(expires_on, "SHORT_DATE_FORMAT")
        }
        raise ValidationFailed(message, errors={"expires_on": [message]})
    # The file is never read whole here: its first bytes and headers are sniffed, its hash was taken as the request
    # was read (services/common/uploads.py), and storage on the temporary file's disk moves it into place.
    sniffed = sniff_upload(name=upload.name, file=upload, size=upload.size, max_bytes=settings.DOCUMENT_MAX_BYTES)
    sha256 = upload_sha256(upload)
    existing = Document.objects.filter(owner=owner, sha256=sha256).first()
    if existing:
        return existing, False
    storage = private_storage()
    upload.content_type = sniffed.content_type  # what object storage keeps with it: never the client's claim
    stored_name = storage.save(f"{uuid.uuid4().hex}{sniffed.extension}", upload)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                owner=owner,
                document_type=document_type,
                stored_name=stored_name,
                original_name=sniffed.name,
                content_type=sniffed.content_type,
                size=upload.size,
                pages=0,  # counted by document_process
                sha256=sha256,
                expires_on=expires_on,
                scan_status=ScanStatus.PENDING,
            )
    except IntegrityError:  # the same file, uploaded twice at once: the other request stored it
        storage.delete(stored_name)
        return Document.objects.get(owner=owner, sha256=sha256), False
    publish_on_commit("services.documents.tasks.process_document", (document.pk,))
    return document, True


def document_process(*, document_id: int) -> Document | None:
    """Check and clean a pending document: the virus check first, on the bytes as uploaded (before any parser reads
    them), then the decoding and cleaning (``inspection.process``). Clean opens it; a refusal deletes its bytes and
    tells the owner why. Without a scanner (switched off, as in the embedded mode) only the cleaning runs.

    Raises ScannerUnavailable when the scanner gives no verdict: the document stays pending (fail closed). A worker
    that dies half-way leaves it pending too, for the redelivery or the sweep: every step can run again.
    """
    document = Document.objects.filter(pk=document_id, scan_status=ScanStatus.PENDING).first()
    if document is None:
        return None
    storage = private_storage()
    with storage.open(document.stored_name) as file:
        data = file.read()
    scanner = get_scanner()
    verdict = scanner.scan(data) if scanner else None
    if verdict is not None and not verdict.clean:
        _refuse(document, ScanStatus.INFECTED, Refusal.HARMFUL, finding=verdict.finding)
        return document
    try:
        processed = process(kind=sniff(data), name=document.original_name, data=data)
    except Refused as refused:
        _refuse(document, ScanStatus.REFUSED, refused.code)
        return document
    _keep(document, processed)
    return document


def _keep(document: Document, processed: Processed) -> None:
    """Store the cleaned bytes beside the upload's, under a name of this attempt's own, and open the document; the
    upload's bytes go once the row says so. Two attempts at once (a redelivery beside the sweep's message): the one
    whose update changes nothing deletes only its own file. A worker killed between the two leaves one orphan file."""
    storage = private_storage()
    uploaded = document.stored_name
    if processed.content_type.startswith("image/"):  # re-encoded: new bytes (a PDF is kept as uploaded)
        stem = os.path.splitext(uploaded)[0]
        extension = {"image/jpeg": ".jpg", "image/png": ".png"}[processed.content_type]
        document.stored_name = storage.save(f"{stem}-{uuid.uuid4().hex[:8]}{extension}", ContentFile(processed.data))
    document.original_name, document.content_type = processed.name, processed.content_type
    document.size, document.pages = len(processed.data), processed.pages
    document.scan_status, document.scanned_at = ScanStatus.CLEAN, timezone.now()
    # Conditional: a second run over the same document (a redelivered task) changes nothing.
    changed = Document.objects.filter(pk=document.pk, scan_status=ScanStatus.PENDING).update(
        stored_name=document.stored_name, original_name=document.original_name, content_type=document.content_type,
        size=document.size, pages=document.pages, scan_status=document.scan_status, scanned_at=document.scanned_at,
    )  # fmt: skip
    if document.stored_name != uploaded:
        storage.delete(uploaded if changed else document.stored_name)


def _refuse(document: Document, status: str, code: str, *, finding: str = "") -> None:
    """Refuse the document for ``code``: delete its bytes and tell its owner, once."""
    document.scan_status, document.refusal, document.scan_finding = status, code, finding
    document.scanned_at = timezone.now()
    with transaction.atomic():
        changed = Document.objects.filter(pk=document.pk, scan_status=ScanStatus.PENDING).update(
            scan_status=status, refusal=code, scan_finding=finding, scanned_at=document.scanned_at
        )
        if changed:
            notify(
                event=Event.DOCUMENT_REFUSED,
                event_key=f"document-refused:{document.public_id}",
                recipients=[document.owner],
                payload={"path": "/documents/", "reason": _in_both_languages(code, document.original_name)},
            )
    if changed:
        private_storage().delete(document.stored_name)
        logger.warning("document %s refused: %s %s", document.public_id, code, finding)


def _in_both_languages(code: str, name: str) -> dict:
    texts = {}
    for key, language in (("zh", "zh-hans"), ("en", "en")):
        with translation.override(language):
            texts[key] = refusal_message(code, name)
    return texts
