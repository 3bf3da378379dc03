"""A credential issued by one department is reused as evidence in another department's form: attached without an
upload, shown verified to the caseworker, its claims prefilled, required by an eligibility rule; another person's
credential is refused."""

import copy

import pytest

from services.applications.actions import application_create_draft, application_save_answers, application_submit
from services.applications.selectors import application_eligibility, missing_document_types
from services.catalogue.eligibility import Outcome
from services.common.errors import ValidationFailed
from services.credentials.actions import credential_revoke
from tests.conftest import staff_login
from tests.factories import SIMPLE_SCHEMA, VALID_ANSWERS, ApplicationFactory, DocumentTypeFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_service(education):
    """Another department's service whose form takes the family-doctor credential instead of a registration
    document, and prefills the child's doctor's name from it."""
    document_type = DocumentTypeFactory(code="family-doctor-registration", name_zh="签约证明", name_en="Registration")
    schema = copy.deepcopy(SIMPLE_SCHEMA)
    schema["properties"]["doctor_proof"] = {
        "type": "object", "title": "Family doctor registration", "x-title-zh": "家庭医生签约证明",
        "x-document-type": document_type.code, "x-credential-type": "family-doctor",
    }  # fmt: skip
    schema["properties"]["registered_name"] = {
        "type": "string", "title": "Registered name", "x-title-zh": "签约姓名",
        "x-prefill": "credential:family-doctor:full_name",
    }  # fmt: skip
    service = ServiceFactory(department=education, form_schema=schema)
    service.document_types.add(document_type)
    return service


def test_the_holders_credential_is_attached_and_its_claims_prefilled(credential, school_service):
    draft = application_create_draft(applicant=credential.holder, service=school_service)

    assert draft.answers["doctor_proof"] == {
        "document_type": "family-doctor-registration", "credential_id": str(credential.public_id),
    }  # fmt: skip
    assert draft.answers["registered_name"] == "Li Lei"
    assert missing_document_types(application=draft) == []  # no upload needed

    credential_revoke(credential=credential)
    assert [t.code for t in missing_document_types(application=draft)] == ["family-doctor-registration"]


def test_someone_elses_credential_is_refused(credential, school_service, resident):
    draft = application_create_draft(applicant=resident, service=school_service)
    assert "doctor_proof" not in draft.answers  # they hold none

    with pytest.raises(ValidationFailed) as refused:
        application_save_answers(
            application=draft, by=resident,
            changes={"doctor_proof": {"document_type": "family-doctor-registration",
                                      "credential_id": str(credential.public_id)}},
        )  # fmt: skip

    assert list(refused.value.errors) == ["doctor_proof"]
    draft.refresh_from_db()
    assert "doctor_proof" not in draft.answers


def test_a_revoked_credential_cannot_be_submitted(credential, school_service):
    draft = application_create_draft(applicant=credential.holder, service=school_service)
    credential_revoke(credential=credential)

    with pytest.raises(ValidationFailed) as refused:
        application_submit(application=draft, by=credential.holder)
    assert "doctor_proof" in refused.value.errors


def test_the_caseworker_sees_the_credential_verified(client, credential, school_service, education_caseworker):
    draft = application_create_draft(applicant=credential.holder, service=school_service)
    application = ApplicationFactory(routed=True, service=school_service, applicant=credential.holder,
                                     answers=draft.answers)  # fmt: skip
    staff_login(client, education_caseworker)

    page = client.get(f"/admin/applications/application/{application.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")

    text = page.content.decode()
    assert "Family doctor registration" in text and "Valid now" in text


def test_a_service_may_require_a_valid_credential(credential, service, resident):
    service.eligibility_rules = [{"kind": "credential", "type": "family-doctor"}]
    service.save()
    holders = ApplicationFactory(service=service, applicant=credential.holder, answers=VALID_ANSWERS)
    others = ApplicationFactory(service=service, applicant=resident, answers=VALID_ANSWERS)

    assert application_eligibility(application=holders).outcome == Outcome.ELIGIBLE
    assert application_eligibility(application=others).outcome == Outcome.NOT_ELIGIBLE
    credential_revoke(credential=credential)
    assert application_eligibility(application=holders).outcome == Outcome.NOT_ELIGIBLE
