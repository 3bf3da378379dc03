"""The document question: a wallet document of the question's type chosen, or uploaded in the same fieldset (the
page stores the upload and chooses it), or an e-licence given instead; its answer is
``{"document_type": <code>, "document_id": <uuid>}`` (or ``"credential_id"``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

CREDENTIAL_CHOICE = "credential:"  # a document question's choice of an e-licence instead of a wallet document


class DocumentWidget(forms.RadioSelect):
    """The resident's wallet documents of the question's type to choose from (``choices``, given by the page) and,
    in the same fieldset, a file input ``<name>-file`` to upload a new one: a plain multipart post, no script."""

    template_name = "dynamic_forms/document_widget.html"
    needs_multipart_form = True
    upload_accept = ""  # what the file input offers (the page says: the wallet's accepted formats)
    upload_hint = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["upload"] = {"name": f"{name}-file", "id": f"id_{name}-file", "accept": self.upload_accept,
                             "hint": self.upload_hint}  # fmt: skip
        return context


def document_form_field(prop, required):
    message = _("Upload the document, or choose one from your wallet.")
    return forms.ChoiceField(required=required, choices=[], widget=DocumentWidget, error_messages={
        "required": message, "invalid_choice": message})  # fmt: skip


def document_to_json(prop, value):
    """Return the answer for the chosen wallet document (its id) or e-licence (``credential:<id>``)."""
    if value.startswith(CREDENTIAL_CHOICE):
        return {"document_type": prop["x-document-type"], "credential_id": value.removeprefix(CREDENTIAL_CHOICE)}
    return {"document_type": prop["x-document-type"], "document_id": value}


def document_to_initial(prop, value):
    if isinstance(value, dict) and value.get("credential_id"):
        return f"{CREDENTIAL_CHOICE}{value['credential_id']}"
    return value.get("document_id") if isinstance(value, dict) else None


def document_display(prop, value):
    if value.get("credential_id"):
        return str(_("Your e-licence"))
    return str(_("Attached") if value.get("document_id") else _("To be attached"))


def document_enforce(prop, partial):
    """The answer names the question's document type and the wallet document given (``"document_id"``) or, for a
    question with ``x-credential-type``, the resident's credential of that type (``"credential_id"``); the
    document type alone is a promise the submission checks against the attached documents."""
    return {
        **prop,
        "properties": {
            "document_type": {"const": prop["x-document-type"]},
            "document_id": {"type": "string", "format": "uuid"},
            "credential_id": {"type": "string", "format": "uuid"},
        },
        "required": ["document_type"],
        "additionalProperties": False,
    }
