"""An application's documents on the web: uploaded or chosen from the wallet in a form step, attached from the
application's page, or uploaded there."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from services.common.errors import DomainError, ValidationFailed
from services.common.headers import permissions_policy
from services.documents.forms import ACCEPT
from services.documents.selectors import document_get_for_owner, document_list_for_owner, document_receipt
from services.documents.views import upload_form, upload_from_form
from services.dynamic_forms.document_field import CREDENTIAL_CHOICE

from .attachments import application_document_upload, document_attach
from .forms import AttachForm
from .selectors import application_get_for_resident


def _document_questions(application, names: list[str]) -> dict[str, str]:
    """Return the step's document questions and their document type codes."""
    props = application.schema["properties"]
    return {name: props[name]["x-document-type"] for name in names if "x-document-type" in props[name]}


def upload_step_documents(request, application, names: list[str]) -> tuple[dict, dict]:
    """Store the files posted for the step's document questions in the wallet, attached to the application; return
    the documents by question and the refusals by question (a refused file leaves the question unanswered)."""
    uploaded, refused = {}, {}
    if request.method != "POST":
        return uploaded, refused
    for name in _document_questions(application, names):
        upload = request.FILES.get(f"{name}-file")
        if upload is None:
            continue
        try:
            uploaded[name] = application_document_upload(
                application=application, question=name, upload=upload, by=request.user
            )
        except ValidationFailed as exc:
            refused[name] = [error for errors in exc.errors.values() for error in errors] or [str(exc)]
        except DomainError as exc:
            refused[name] = [str(exc)]
        else:
            messages.success(request, document_receipt(document=uploaded[name]))
    return uploaded, refused


def document_options(request, application, names: list[str]) -> dict:
    """Return what the step's document questions offer: the resident's usable wallet documents of each type (and an
    e-licence already given), and what the file input takes."""
    codes = _document_questions(application, names)
    if not codes:
        return {}
    choices: dict[str, list] = {code: [] for code in codes.values()}
    wallet = document_list_for_owner(user=request.user).usable().filter(document_type__code__in=choices)
    for document in wallet:
        label = f"{document.original_name} ({timezone.localdate(document.created_at):%Y-%m-%d})"  # Shanghai's day
        choices[document.document_type.code].append((str(document.public_id), label))
    for name, code in codes.items():
        answer = application.answers.get(name) or {}
        if answer.get("credential_id"):
            choices[code].append((f"{CREDENTIAL_CHOICE}{answer['credential_id']}", _("Your e-licence")))
    hint = _("PDF, JPEG, PNG or HEIC (iPhone photos), up to %(size)s, or take a photo.")
    upload = {"accept": ACCEPT, "hint": hint % {"size": filesizeformat(settings.DOCUMENT_MAX_BYTES)}}
    return {"documents": choices, "upload": upload}


@login_required
@require_POST
def attach_document(request, public_id):
    application = application_get_for_resident(user=request.user, public_id=public_id)
    form = AttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a document from your wallet."))
        return redirect(application)
    document = document_get_for_owner(user=request.user, public_id=form.cleaned_data["document"])
    try:
        document_attach(application=application, document=document, by=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(name)s” is attached to your application.") % {"name": document.original_name})
    return redirect(application)


@login_required
@permissions_policy(camera="self")  # "take a photo" on a phone, as in the wallet
def upload_document(request, public_id):
    """Upload documents into the wallet from an application's page, and attach them to that application."""
    application = application_get_for_resident(user=request.user, public_id=public_id)
    form = upload_form(request)
    if request.method == "POST" and form.is_valid():
        documents = upload_from_form(request, form)
        for document in documents:
            try:
                document_attach(application=application, document=document, by=request.user)
            except DomainError as exc:
                form.add_error("files", str(exc))
        if not form.errors:
            messages.success(request, _("Attached to your application."))
            return redirect(application)
    return render(request, "applications/upload.html", {"application": application, "form": form})
