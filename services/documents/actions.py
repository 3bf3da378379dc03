"""Writes on the document wallet; the web, the API and tasks all call these."""

import datetime as dt
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from services.api.throttling import limit_allows
from services.catalogue.models import DocumentType
from services.common.errors import TooMany, ValidationFailed
from services.common.storage import private_storage
from services.common.tasks import publish_on_commit

from .inspection import inspect_upload
from .models import Document, ScanStatus
from .scanning import get_scanner

logger = logging.getLogger(__name__)


def document_upload(
    *, owner, document_type: DocumentType, upload: UploadedFile, expires_on: dt.date | None = None
) -> tuple[Document, bool]:
    """Check, clean and store an upload in the owner's wallet; return (document, created).

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
    # Read no more than one byte past the limit: that is enough to refuse, whatever the size claimed.
    data = upload.read(settings.DOCUMENT_MAX_BYTES + 1)
    inspected = inspect_upload(name=upload.name, data=data, max_bytes=settings.DOCUMENT_MAX_BYTES)
    sha256 = hashlib.sha256(inspected.data).hexdigest()
    existing = Document.objects.filter(owner=owner, sha256=sha256).first()
    if existing:
        return existing, False
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}[inspected.content_type]
    scanner = get_scanner()
    storage = private_storage()
    stored_name = storage.save(f"{uuid.uuid4().hex}{extension}", ContentFile(inspected.data))
    try:
        with transaction.atomic():
            document = Document.objects.create(
                owner=owner,
                document_type=document_type,
                stored_name=stored_name,
                original_name=inspected.name,
                content_type=inspected.content_type,
                size=len(inspected.data),
                pages=inspected.pages,
                sha256=sha256,
                expires_on=expires_on,
                # Without a scanner (only when switched off, as in the embedded mode) there is nothing to wait for.
                scan_status=ScanStatus.PENDING if scanner else ScanStatus.CLEAN,
            )
    except IntegrityError:  # the same file, uploaded twice at once: the other request stored it
        storage.delete(stored_name)
        return Document.objects.get(owner=owner, sha256=sha256), False
    if scanner:
        publish_on_commit("services.documents.tasks.scan_document", (document.pk,))
    return document, True


def document_scan(*, document_id: int) -> Document | None:
    """Scan a pending document: clean opens it to staff; harmful content is deleted and the document refused.

    Raises ScannerUnavailable when the scanner gives no verdict: the document stays pending (fail closed).
    """
    document = Document.objects.filter(pk=document_id, scan_status=ScanStatus.PENDING).first()
    scanner = get_scanner()
    if document is None or scanner is None:
        return document
    storage = private_storage()
    with storage.open(document.stored_name) as file:
        verdict = scanner.scan(file.read())
    document.scan_status = ScanStatus.CLEAN if verdict.clean else ScanStatus.INFECTED
    document.scanned_at, document.scan_finding = timezone.now(), verdict.finding
    # Conditional: a second scan of the same document (a redelivered task) changes nothing.
    changed = Document.objects.filter(pk=document.pk, scan_status=ScanStatus.PENDING).update(
        scan_status=document.scan_status, scanned_at=document.scanned_at, scan_finding=document.scan_finding
    )
    if changed and not verdict.clean:
        storage.delete(document.stored_name)
        logger.warning("document %s refused: %s", document.public_id, verdict.finding)
    return document
