import datetime as dt

import pytest

from services.credentials.models import Credential, CredentialType
from tests.factories import (
    ApplicationFactory,
    DepartmentFactory,
    DocumentFactory,
    ResidentProfileFactory,
    ServiceFactory,
)


@pytest.fixture
def employment():
    return DepartmentFactory(code="employment", reference_prefix="EMP")


@pytest.fixture
def person():
    """A resident born 1949-12-31 (their ID number says so) living in Pudong."""
    profile = ResidentProfileFactory(
        date_of_birth=dt.date(1949, 12, 31), phone="13812345678", district="pudong", street_address="世纪大道100号"
    )
    return profile.user


@pytest.fixture
def cases(person, health, education, employment):
    """Open applications at health (routed) and education (in review); employment decided long ago (no case)."""
    return {
        "health": ApplicationFactory(applicant=person, service=ServiceFactory(department=health), routed=True),
        "education": ApplicationFactory(applicant=person, service=ServiceFactory(department=education), in_review=True),
        "employment": ApplicationFactory(
            applicant=person, service=ServiceFactory(department=employment), approved=True
        ),
    }


@pytest.fixture
def certificate(person):
    return DocumentFactory(owner=person, original_name="出生医学证明.pdf")


def credential_for(user, department, **fields) -> Credential:
    credential_type, _ = CredentialType.objects.get_or_create(
        code=f"card-{department.code}", defaults={"name_zh": "证", "name_en": "Card", "department": department}
    )
    return Credential.objects.create(
        type=credential_type, holder=user, department=department, claims={}, token="x", **fields
    )
