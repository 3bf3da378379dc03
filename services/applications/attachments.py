"""An application's documents: which its form still needs (the submission waits for them), and attaching them, from
the wallet, from an upload on the application's pages, or named by a document question's answer."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from services.catalogue.models import DocumentType
from services.common.errors import InvalidTransition, NotAllowed, ValidationFailed
from services.common.tasks import publish_on_commit
from services.credentials.selectors import credential_usable
from services.documents.actions import document_upload
from services.documents.models import Document
from services.dynamic_forms.structure import is_asked, questions, steps_asked

from .models import Application, ApplicationDocument, Status
from .selectors import application_document_list, application_takes_documents, credential_answers
from .workflow import Actor, actor_roles


@dataclass(frozen=True)
class MissingDocument:
    """A required document question of an application that nothing answers yet, and its document type."""

    question: str
    code: str
    kind: DocumentType | None  # None: a code the catalogue does not know (then the code is its name)
    step: str

    @property
    def name(self) -> str:
        """Return the document type's name in the active language."""
        return self.kind.name if self.kind else self.code

    def as_problem(self) -> dict:
        return {"question": self.question, "document_type": self.code, "name": self.name}


def application_documents_missing(*, application: Application) -> list[MissingDocument]:
    """Return each required document question asked on the application that neither an attached usable document of
    its type nor a valid e-licence of the applicant's answers: the submission is refused while any is left."""
    schema, answers = application.schema, application.answers
    required, props = set(schema.get("required", [])), schema["properties"]
    step_of = {name: step["key"] for step in steps_asked(schema, answers) for name in step["fields"]}
    wanted = {
        name: prop["x-document-type"]
        for name, prop in questions(schema)
        if "x-document-type" in prop and name in required and name in step_of and is_asked(prop, answers)
    }
    if not wanted:
        return []
    attached = application_document_list(application=application).usable()
    covered = set(attached.values_list("document_type__code", flat=True))
    covered |= {
        props[name]["x-document-type"]
        for name, type_code, public_id in credential_answers(schema=schema, answers=answers)
        if credential_usable(holder=application.applicant_id, public_id=public_id, type_code=type_code)
    }
    kinds = DocumentType.objects.in_bulk(set(wanted.values()) - covered, field_name="code")
    return [
        MissingDocument(question=name, code=code, kind=kinds.get(code), step=step_of[name])
        for name, code in wanted.items()
        if code not in covered
    ]


def document_attach(*, application: Application, document: Document, by) -> ApplicationDocument:
    """Attach a wallet document to the resident's own draft or open application (once; again is a no-op)."""
    if Actor.APPLICANT not in actor_roles(application=application, by=by) or document.owner_id != by.pk:
        raise NotAllowed(_("You can only attach your own documents to your own applications."))
    if not application_takes_documents(application=application):
        raise InvalidTransition(_("Documents can only be added while the application is open."))
    if document.is_refused:
        message = document.refusal_text
        raise ValidationFailed(message, errors={"document": [message]})
    if document.is_expired:
        message = _("“%(name)s” expired on %(date)s. Upload one that is still valid.") % {
            "name": document.original_name,
            "date": date_format(document.expires_on, "SHORT_DATE_FORMAT"),
        }
        raise ValidationFailed(message, errors={"document": [message]})
    link, created = ApplicationDocument.objects.get_or_create(application=application, document=document)
    if created and application.status == Status.DRAFT:
        _answer_document_questions(application=application, document=document)
    if created and application.intake_checked_at and application.department_id:
        # The caseworker's intake note says which documents are missing: checked again, it says what still is.
        publish_on_commit(
            "services.routing.tasks.refresh_intake",
            (application.pk,),
            queue=application.department.celery_queue,
            reference=application.reference,
        )
    return link


@transaction.atomic
def _answer_document_questions(*, application: Application, document: Document) -> None:
    """Answer the draft's unanswered document questions of the document's type with it (attached from the wallet
    or the application's page, or through the API): the form then holds what the resident already gave."""
    locked = Application.objects.select_for_update(of=("self",)).select_related("form_version").get(pk=application.pk)
    code, answers = document.document_type.code, locked.answers
    answer = {"document_type": code, "document_id": str(document.public_id)}
    names = [
        name
        for name, prop in questions(locked.schema)
        if prop.get("x-document-type") == code and name not in answers and is_asked(prop, answers)
    ]
    if names and locked.status == Status.DRAFT:
        locked.answers = {**answers, **dict.fromkeys(names, answer)}
        locked.save(update_fields=["answers", "updated_at"])
        application.answers = locked.answers


def attach_answered_documents(*, application: Application, changes: dict, by) -> None:
    """Attach each wallet document that a document question's answer names: the actor's own, usable, of the
    question's type (any other is refused alike, so nobody learns whether another person's exists)."""
    for name, prop in questions(application.schema):
        answer = changes.get(name)
        if "x-document-type" not in prop or not isinstance(answer, dict) or not answer.get("document_id"):
            continue
        document = (
            Document.objects.owned_by(by)
            .usable()
            .filter(public_id=answer["document_id"], document_type__code=prop["x-document-type"])
            .first()
        )
        if document is None:
            message = _("Choose one of your own documents of this kind, or upload it.")
            raise ValidationFailed(message, errors={name: [message]})
        document_attach(application=application, document=document, by=by)


@transaction.atomic
def application_document_upload(*, application: Application, question: str, upload, by) -> Document:
    """Store an upload for one of the draft's document questions in the actor's wallet (with the question's
    document type) and attach it to the application: the form's step answers the question with it."""
    prop = application.schema["properties"].get(question, {})
    kind = DocumentType.objects.filter(code=prop.get("x-document-type")).first()
    if kind is None:
        raise ValidationFailed(_("This question takes no document."), errors={question: [_("Not a document.")]})
    document, _created = document_upload(owner=by, document_type=kind, upload=upload)
    document_attach(application=application, document=document, by=by)
    return document
