import pytest
from django.core.cache import cache

from services.accounts.models import DepartmentMembership
from tests.factories import ApplicationFactory, StaffFactory


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def application(resident, service):
    return ApplicationFactory(applicant=resident, service=service, in_review=True)


@pytest.fixture
def health_supervisor(health):
    return StaffFactory(department=health, department__role=DepartmentMembership.Role.SUPERVISOR)
