"""Reads on the document wallet; who may open a document is decided here, once, for the web, the API and the admin."""

import datetime as dt

from django.db.models import QuerySet
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from services.accounts.permissions import StaffScope, staff_scope_for
from services.catalogue.models import DocumentType
from services.common.errors import NotReady

from .models import Document, ScanStatus


def document_type_list() -> QuerySet[DocumentType]:
    """Return the kinds of document a resident can upload."""
    return DocumentType.objects.all()


def document_list_for_owner(*, user) -> QuerySet[Document]:
    """Return the user's wallet, newest first, with each document's type."""
    return Document.objects.owned_by(user).select_related("document_type")


def document_get_for_owner(*, user, public_id) -> Document:
    """Return one of the user's own documents or raise Http404 (another person's is not found)."""
    document = document_list_for_owner(user=user).filter(public_id=public_id).first()
    if document is None:
        raise Http404
    return document


def document_get_for_download(*, user, public_id, scope: StaffScope | None = None) -> Document:
    """Return the document if ``user`` may open it now: its owner, or staff of a department handling an
    application it is attached to (``scope``: their staff scope, when the caller has it); and only once the virus
    check found it clean.

    Raises Http404 for anyone else (whether the document exists is not revealed) and NotReady before it is clean.
    """
    document = Document.objects.filter(public_id=public_id).first()
    if document is None or not user.is_authenticated:
        raise Http404
    if document.owner_id != user.pk:
        scope = staff_scope_for(user=user) if scope is None else scope
        if not document_staff_applications(scope=scope, document=document):
            raise Http404
    return document_check_clean(document=document)


def document_check_clean(*, document: Document) -> Document:
    """Return the document if the virus check found it clean; raise NotReady while it is pending or once refused."""
    if document.scan_status == ScanStatus.PENDING:
        raise NotReady(_("“%(name)s” is still being checked for viruses. Try again in a few minutes.")
                       % {"name": document.original_name})  # fmt: skip
    if document.is_refused:
        raise NotReady(document.refusal_text)
    return document


def document_staff_applications(*, scope: StaffScope, document: Document) -> list:
    """Return the applications using the document that a staff member with ``scope`` works on (the attachments
    are services.applications' rows, reached by their related name: this app does not import that one)."""
    if not scope.is_staff:
        return []
    links = document.application_links.select_related("application")
    departments = scope.departments()
    if departments is not None:
        links = links.filter(application__department_id__in=departments)
    return [link.application for link in links]


def document_receipt(*, document: Document) -> str:
    """Return the receipt a resident sees for an upload: "Received “x.pdf”: 2 pages, 1.2 MB.", or while it is being
    checked (its pages not counted yet) "Received “x.pdf”, 1.2 MB: …"."""
    if document.scan_status == ScanStatus.PENDING:
        return _("Received “%(name)s”, %(size)s: it is being checked, and can be opened once it is ready.") % {
            "name": document.original_name,
            "size": filesizeformat(document.size),
        }
    if document.is_refused:
        return document.refusal_text
    return ngettext(
        "Received “%(name)s”: %(pages)d page, %(size)s.",
        "Received “%(name)s”: %(pages)d pages, %(size)s.",
        document.pages,
    ) % {"name": document.original_name, "pages": document.pages, "size": filesizeformat(document.size)}


def unprocessed_document_ids(*, older_than: dt.timedelta) -> list[int]:
    """Return the ids of documents still waiting for their virus check and cleaning after ``older_than``."""
    return list(
        Document.objects.filter(scan_status=ScanStatus.PENDING, created_at__lt=timezone.now() - older_than).values_list(
            "pk", flat=True
        )
    )
