"""The document wallet's part of a resident's personal data: the documents, and their files in the export."""

from functools import partial

from django.db import transaction

from services.accounts.privacy import ExportFile, register
from services.common.storage import private_storage

from .models import Document, ScanStatus


def export_documents(user):
    """Return the wallet's documents, and the files of those the virus check found clean."""
    documents = list(Document.objects.filter(owner=user).select_related("document_type"))
    storage = private_storage()
    files = [
        ExportFile(
            f"documents/{number:03d}-{document.original_name}", partial(storage.open, document.stored_name, "rb")
        )
        for number, document in enumerate(documents, start=1)
        if document.scan_status == ScanStatus.CLEAN and storage.exists(document.stored_name)
    ]
    data = [
        {
            "name": document.original_name,
            "type": document.document_type.code,
            "sha256": document.sha256,
            "uploaded_at": document.created_at,
            "expires_on": document.expires_on,
        }
        for document in documents
    ]
    return data, files


def erase_documents(user) -> None:
    """Delete every wallet document no application still uses (those attached to submitted applications are kept
    with them), and its file once the deletion has committed."""
    storage = private_storage()
    for document in Document.objects.filter(owner=user, application_links__isnull=True):
        stored_name = document.stored_name
        document.delete()
        transaction.on_commit(partial(storage.delete, stored_name))


register(app_label="documents", section="documents", export_for=export_documents, erase_for=erase_documents)
