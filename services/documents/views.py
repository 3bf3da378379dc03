from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from services.accounts.permissions import staff_scope
from services.audit.actions import audit_record
from services.audit.models import AuditAction
from services.common.errors import NotReady, TooMany, ValidationFailed
from services.common.headers import permissions_policy
from services.common.storage import private_storage

from .actions import document_upload
from .forms import UploadForm
from .models import Document
from .selectors import (
    document_get_for_download,
    document_list_for_owner,
    document_receipt,
    document_staff_applications,
)


def document_file_response(*, document: Document, request, inline: bool = False) -> HttpResponse:
    """Answer with the file, never sniffed or cached: as an attachment no browser renders, or (``inline``, for a
    caseworker reading it in the admin) shown by the browser. A staff member's opening goes to the audit log.

    With DOCUMENTS_X_ACCEL_REDIRECT set, nginx sends the bytes from its internal location instead.
    """
    if document.owner_id != request.user.pk:
        scope = staff_scope(request)
        applications = document_staff_applications(scope=scope, document=document)
        audit_record(
            scope=scope,
            action=AuditAction.VIEW_DOCUMENT,
            request=request,
            applications=applications,
            document=document,
            detail=document.original_name,
        )
    if settings.DOCUMENTS_X_ACCEL_REDIRECT:
        response = HttpResponse(content_type=document.content_type)
        response["X-Accel-Redirect"] = settings.DOCUMENTS_X_ACCEL_REDIRECT.rstrip("/") + "/" + document.stored_name
        response["Content-Disposition"] = content_disposition_header(not inline, document.original_name)
    else:
        response = FileResponse(
            private_storage().open(document.stored_name),
            as_attachment=not inline,
            filename=document.original_name,
            content_type=document.content_type,
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # Chrome's PDF viewer does not run in a sandboxed document (nor with object-src 'none'): a PDF shown inline
    # may only not be framed; it is checked as a PDF, scanned, and nosniff keeps it from being read as a page.
    inline_pdf = inline and document.content_type == "application/pdf"
    response["Content-Security-Policy"] = "frame-ancestors 'none'" if inline_pdf else "default-src 'none'; sandbox"
    return response


def _safe_next(request) -> str | None:
    next_url = request.POST.get("next") or request.GET.get("next")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return None


def upload_form(request) -> UploadForm:
    """Return the upload form, bound when the request posts one."""
    max_size = filesizeformat(settings.DOCUMENT_MAX_BYTES)
    posted = request.method == "POST"
    return UploadForm(request.POST if posted else None, request.FILES if posted else None, max_size=max_size)


def upload_from_form(request, form: UploadForm) -> list[Document]:
    """Store the valid form's files in the resident's wallet, each with its receipt as a message; return the
    documents (new or already there), the refused files' errors added to the form (past the hour's upload limit,
    the rest are not stored)."""
    data, documents = form.cleaned_data, []
    for upload in data["files"]:
        try:
            document, created = document_upload(
                owner=request.user, document_type=data["document_type"], upload=upload, expires_on=data["expires_on"]
            )
        except TooMany as exc:
            form.add_error("files", str(exc))
            break
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                field = "files" if field == "file" else field
                for error in errors:
                    if error not in form.errors.get(field, []):
                        form.add_error(field, error)
            continue
        if document.is_refused:  # the same bytes were refused before: say why again
            form.add_error("files", document.refusal_text)
            continue
        documents.append(document)
        if created:
            messages.success(request, document_receipt(document=document))
        else:
            message = _("“%(name)s” is already in your wallet, so it was not stored again.")
            messages.info(request, message % {"name": document.original_name})
    return documents


@login_required
@permissions_policy(camera="self")  # "take a photo" on a phone
def wallet(request):
    form = upload_form(request)
    if request.method == "POST" and form.is_valid():
        upload_from_form(request, form)
        if not form.errors:
            return redirect(_safe_next(request) or "documents:wallet")
    context = {"form": form, "documents": document_list_for_owner(user=request.user), "next": _safe_next(request)}
    return render(request, "documents/wallet.html", context)


@login_required
def download(request, public_id):
    try:
        document = document_get_for_download(user=request.user, public_id=public_id, scope=staff_scope(request))
    except NotReady as exc:
        return render(request, "documents/not_ready.html", {"message": str(exc)}, status=409)
    return document_file_response(document=document, request=request)
