"""Administrators add a department system in the admin: its account is made and its API token shown once."""

import re

import pytest
from rest_framework.test import APIClient

from services.accounts.models import DepartmentMembership
from services.integrations.models import DepartmentSystem
from tests.conftest import staff_login
from tests.factories import ApplicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def test_adding_a_system_makes_its_account_and_shows_its_token_once(client, health, service):
    staff_login(client, StaffFactory(is_superuser=True))

    added = client.post("/admin/integrations/departmentsystem/add/",
                        {"name": "Health case system", "department": health.pk, "handles_applications": "on",
                         "is_active": "on"}, follow=True)  # fmt: skip

    assert added.status_code == 200
    system = DepartmentSystem.objects.get()
    assert system.handles_applications and not system.account.has_usable_password()
    assert DepartmentMembership.objects.get(user=system.account).department == health
    token = re.search(r"sys_[\w-]+", added.content.decode()).group(0)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    application = ApplicationFactory(routed=True, service=service)
    assert api.get(f"/api/systems/v1/applications/{application.public_id}/").json()["reference"] == (
        application.reference
    )
