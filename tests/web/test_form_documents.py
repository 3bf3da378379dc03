"""A required document in a form: the step offers the resident's wallet documents of its type and an upload right
there (a plain multipart post, no checkbox); what is chosen or uploaded is attached to the application; a required
document still missing stops the submission, listed with links on the check page (web) and named in a problem with
its code (API)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from services.applications.models import Status
from services.documents.models import Document
from tests.api.problems import assert_problem
from tests.documents.files import pdf
from tests.factories import ApplicationFactory, DocumentFactory, DocumentTypeFactory, ServiceFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

DOCUMENT_SCHEMA = {
    "type": "object",
    "x-order": ["name", "proof"],
    "required": ["name", "proof"],
    "properties": {
        "name": {"type": "string", "maxLength": 50, "title": "Full name", "x-title-zh": "姓名"},
        "proof": {
            "type": "object",
            "x-document-type": "employment-termination",
            "title": "Proof that the job ended",
            "x-title-zh": "离职证明",
        },
    },
}


@pytest.fixture
def proof_type():
    return DocumentTypeFactory(
        code="employment-termination", name_zh="解除劳动合同证明", name_en="Proof of termination"
    )


@pytest.fixture
def draft(resident, health, proof_type):
    service = ServiceFactory(department=health, form_schema=DOCUMENT_SCHEMA)
    return ApplicationFactory(applicant=resident, service=service, answers={"name": "李雷"})


@pytest.fixture
def resident_client(resident):
    client = APIClient()
    client.force_authenticate(resident)
    return client


@pytest.fixture
def browser(en_client, resident):
    en_client.force_login(resident)
    return en_client


def step_url(application) -> str:
    return reverse("applications:step", kwargs={"public_id": application.public_id, "key": "answers"})


def check_url(application) -> str:
    return reverse("applications:check", kwargs={"public_id": application.public_id})


def a_pdf(name="termination.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(1), content_type="application/pdf")


def attached(application) -> list[Document]:
    return list(Document.objects.filter(application_links__application=application))


def test_the_step_offers_the_wallet_documents_of_its_type_and_an_upload_not_a_checkbox(
    browser, resident, draft, proof_type
):
    """The question is a fieldset: the resident's own usable documents of its type as choices, and a file input,
    in a multipart form; no checkbox that only promises the document."""
    mine = DocumentFactory(owner=resident, document_type=proof_type, original_name="离职证明.pdf")
    other_kind = DocumentFactory(owner=resident, original_name="身份证.pdf")
    someone_elses = DocumentFactory(document_type=proof_type)
    expired = DocumentFactory(owner=resident, document_type=proof_type, expires_on="2020-01-01")

    response = browser.get(step_url(draft))

    page = assert_accessible(response)
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="proof-file" id="id_proof-file"' in html
    assert 'type="checkbox"' not in html
    assert f'value="{mine.public_id}"' in html and "离职证明.pdf" in html
    for hidden in (other_kind, someone_elses, expired):
        assert str(hidden.public_id) not in html
    assert "id_proof-file" in page.ids


def test_uploading_in_the_step_puts_it_in_the_wallet_attaches_it_and_answers_the_question(browser, resident, draft):
    """One post: the file is stored in the resident's wallet with the question's document type, attached to the
    application, and the question's answer names it."""
    response = browser.post(step_url(draft), {"name": "李雷", "proof-file": a_pdf()})

    assert response.status_code == 302 and response.url == check_url(draft)
    document = Document.objects.get(owner=resident)
    assert document.document_type.code == "employment-termination"
    assert attached(draft) == [document]
    draft.refresh_from_db()
    assert draft.answers["proof"] == {"document_type": "employment-termination", "document_id": str(document.public_id)}


def test_choosing_a_wallet_document_attaches_it_without_uploading_again(browser, resident, draft, proof_type):
    mine = DocumentFactory(owner=resident, document_type=proof_type)

    response = browser.post(step_url(draft), {"name": "李雷", "proof": str(mine.public_id)})

    assert response.status_code == 302
    assert attached(draft) == [mine]
    assert Document.objects.filter(owner=resident).count() == 1


def test_another_residents_document_cannot_be_chosen(browser, draft, proof_type):
    """A posted id that is not one of the offered choices is refused on the question; nothing is attached."""
    someone_elses = DocumentFactory(document_type=proof_type)

    response = browser.post(step_url(draft), {"name": "李雷", "proof": str(someone_elses.public_id)})

    assert_accessible(response)
    assert "Upload the document, or choose one from your wallet." in response.content.decode()
    assert attached(draft) == []


def test_a_refused_upload_is_explained_on_the_question_and_the_other_answers_are_kept(browser, draft):
    upload = SimpleUploadedFile("termination.pdf", b"<html>not a pdf</html>", content_type="application/pdf")

    response = browser.post(step_url(draft), {"name": "王芳", "proof-file": upload})

    page = assert_accessible(response)
    html = response.content.decode()
    assert "id_proof_error" in page.ids and "is not a PDF, JPEG, PNG or HEIC file" in html
    assert 'value="王芳"' in html
    assert attached(draft) == []


def test_the_check_page_lists_the_missing_documents_with_links_and_submitting_is_refused(browser, draft):
    """Before Submit the check page names each missing document with a link to its step; Submit is refused with
    the same list, and the application stays a draft."""
    link = f'href="{step_url(draft)}?return=check"'

    before = browser.get(check_url(draft))

    assert_accessible(before)
    assert f"{link}>Proof of termination</a>" in before.content.decode()

    refused = browser.post(check_url(draft))

    assert_accessible(refused)
    html = refused.content.decode()
    assert f"{link}>Proof that the job ended: Upload “Proof of termination”, or choose it from your wallet.</a>" in html
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_the_missing_documents_are_named_in_the_residents_language(client, resident, draft):
    client.force_login(resident)
    client.cookies["django_language"] = "zh-hans"

    response = client.post(check_url(draft))

    assert "上传“解除劳动合同证明”，或从材料库中选择。" in response.content.decode()


def test_attaching_from_the_wallet_on_the_application_page_answers_the_question_and_submission_passes(
    browser, resident, draft, proof_type
):
    """A document attached outside the form (the application's own pages) answers its unanswered question."""
    mine = DocumentFactory(owner=resident, document_type=proof_type)
    url = reverse("applications:attach_document", kwargs={"public_id": draft.public_id})

    browser.post(url, {"document": str(mine.public_id)})
    response = browser.post(check_url(draft))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.answers["proof"]["document_id"] == str(mine.public_id)


API = "/api/v1/applications/{}/"


def test_api_submitting_without_the_document_is_a_problem_naming_it_by_code_in_the_callers_language(
    resident_client, draft
):
    response = resident_client.post(f"{API.format(draft.public_id)}submit/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    problem = assert_problem(response, 400, code="documents_missing")
    assert problem["missing_documents"] == [
        {"question": "proof", "document_type": "employment-termination", "name": "解除劳动合同证明"}
    ]
    assert [error["field"] for error in problem["errors"]] == ["answers.proof"]
    assert "解除劳动合同证明" in problem["detail"]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_api_an_answer_naming_a_wallet_document_attaches_it_and_the_submission_passes(
    resident_client, resident, draft, proof_type
):
    mine = DocumentFactory(owner=resident, document_type=proof_type)
    answer = {"document_type": "employment-termination", "document_id": str(mine.public_id)}

    patched = resident_client.patch(API.format(draft.public_id), {"answers": {"proof": answer}}, format="json")
    submitted = resident_client.post(f"{API.format(draft.public_id)}submit/")

    assert patched.status_code == 200 and submitted.status_code == 200, submitted.content
    assert attached(draft) == [mine]


def test_api_an_answer_naming_another_residents_document_is_refused_and_nothing_is_attached(
    resident_client, draft, proof_type
):
    someone_elses = DocumentFactory(document_type=proof_type)
    answer = {"document_type": "employment-termination", "document_id": str(someone_elses.public_id)}

    response = resident_client.patch(
        API.format(draft.public_id), {"answers": {"proof": answer}}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )

    problem = assert_problem(response, 400, code="invalid")
    assert [error["field"] for error in problem["errors"]] == ["answers.proof"]
    assert attached(draft) == []
    draft.refresh_from_db()
    assert "proof" not in draft.answers


def test_api_attaching_a_wallet_document_answers_the_question(resident_client, resident, draft, proof_type):
    mine = DocumentFactory(owner=resident, document_type=proof_type)

    attach = resident_client.post(
        f"{API.format(draft.public_id)}documents/", {"document": str(mine.public_id)}, format="json"
    )
    submitted = resident_client.post(f"{API.format(draft.public_id)}submit/")

    assert attach.status_code == 201 and submitted.status_code == 200, submitted.content


def test_api_one_call_naming_a_wallet_document_attaches_it_and_submits(resident_client, resident, draft, proof_type):
    """A form asking for a document is created and submitted in one call too (its row stored before the document
    is attached, the reference set with the move); without the document it is refused and nothing is left."""
    mine = DocumentFactory(owner=resident, document_type=proof_type)
    body = {"service": draft.service.slug, "submit": True, "answers": {"name": "李雷"}}

    refused = resident_client.post("/api/v1/applications/", body, format="json")
    body["answers"]["proof"] = {"document_type": "employment-termination", "document_id": str(mine.public_id)}
    response = resident_client.post("/api/v1/applications/", body, format="json")

    assert_problem(refused, 400, code="documents_missing")
    assert response.status_code == 201, response.content
    application = draft.service.applications.exclude(pk=draft.pk).get()
    assert (application.status, application.reference) == (Status.SUBMITTED, response.json()["reference"])
    assert attached(application) == [mine]
