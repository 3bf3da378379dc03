import os

import pytest

from .factories import DepartmentFactory, ServiceFactory, StaffFactory, UserFactory

IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str):
    """Fail under CI (a missing service is a broken run); skip with the reason elsewhere."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def health():
    return DepartmentFactory(code="health", reference_prefix="HLT")


@pytest.fixture
def education():
    return DepartmentFactory(code="education", reference_prefix="EDU")


@pytest.fixture
def service(health):
    return ServiceFactory(department=health)


@pytest.fixture
def resident():
    return UserFactory()


@pytest.fixture
def health_caseworker(health):
    return StaffFactory(department=health)


@pytest.fixture
def education_caseworker(education):
    return StaffFactory(department=education)
