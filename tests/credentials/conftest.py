import pytest

from services.applications.actions import application_decide
from services.credentials.models import CredentialType
from tests.factories import ApplicationFactory


@pytest.fixture
def credential_type(service):
    return CredentialType.objects.create(
        code="family-doctor", name_zh="家庭医生签约凭证", name_en="Family doctor registration",
        department=service.department, service=service, valid_days=365, claim_answers=["full_name", "start_date"],
    )  # fmt: skip


@pytest.fixture
def approved(credential_type, service):
    """An application approved by its caseworker, which issued its credential."""
    application = ApplicationFactory(in_review=True, service=service)
    return application_decide(application=application, by=application.assignee, approve=True)


@pytest.fixture
def credential(approved):
    return approved.credentials.get()
