"""The embedded mode's demo data: idempotent, valid, and never loaded outside DEBUG."""

import pytest
from django.core.management import CommandError, call_command

from services.accounts.models import DepartmentMembership, ResidentProfile, User
from services.catalogue.models import Department, Service

pytestmark = pytest.mark.django_db


def test_load_demo_twice_gives_the_same_data(settings, capsys):
    """Three departments with two services each, a complete resident profile, a caseworker and a supervisor for
    every department (a bad rating always reaches someone), and the logins printed at the portal's address."""
    settings.DEBUG = True
    settings.PORTAL_URL = "http://127.0.0.1:8123"
    call_command("load_demo")
    call_command("load_demo")

    assert sorted(Department.objects.values_list("code", flat=True)) == ["education", "employment", "health"]
    assert all(d.services.count() >= 2 for d in Department.objects.all())
    for service in Service.objects.all():
        service.full_clean()  # every demo form schema passes the schema check
    profile = ResidentProfile.objects.get(user__email="resident@demo.portal")
    profile.full_clean()
    assert profile.is_complete
    for role in DepartmentMembership.Role.CASEWORKER, DepartmentMembership.Role.SUPERVISOR:
        supervised = DepartmentMembership.objects.filter(role=role).values_list("department__code", flat=True)
        assert sorted(supervised) == ["education", "employment", "health"]
    assert User.objects.filter(is_superuser=True).count() == 1
    printed = capsys.readouterr().out
    assert "health.caseworker@demo.portal" in printed and "http://127.0.0.1:8123/admin/" in printed


def test_load_demo_refuses_outside_debug(settings):
    """Demo logins have a published password, so production settings refuse them."""
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not User.objects.exists()
