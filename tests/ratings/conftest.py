import pytest

from services.accounts.models import DepartmentMembership
from tests.factories import ApplicationFactory, StaffFactory


@pytest.fixture
def application(resident, service):
    return ApplicationFactory(applicant=resident, service=service, in_review=True)


@pytest.fixture
def health_supervisor(health):
    return StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
