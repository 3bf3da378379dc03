"""Load the catalogue and demo logins for the embedded mode (idempotent; refuses outside DEBUG)."""

import datetime as dt

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from services.accounts.models import DepartmentMembership, ResidentProfile, User
from services.catalogue.actions import catalogue_load
from services.catalogue.data import CATALOGUE
from services.catalogue.models import Department

DEMO_PASSWORD = "demo-portal-2026"  # nosec B105  # the demo's published password: make run only, README

DEMO_PROFILE = {
    "legal_name": "张三",
    "id_number": "310115199003071239",
    "date_of_birth": dt.date(1990, 3, 7),
    "phone": "13800138000",
    "district": "pudong",
    "street_address": "世纪大道100号",
}

USERS = [
    # email, role description, is_staff, is_superuser, memberships
    ("resident@demo.portal", "resident", False, False, []),
    ("health.caseworker@demo.portal", "caseworker, health", True, False, [("health", "caseworker")]),
    ("education.caseworker@demo.portal", "caseworker, education", True, False, [("education", "caseworker")]),
    ("employment.caseworker@demo.portal", "caseworker, employment", True, False, [("employment", "caseworker")]),
    ("health.supervisor@demo.portal", "supervisor, health", True, False, [("health", "supervisor")]),
    ("education.supervisor@demo.portal", "supervisor, education", True, False, [("education", "supervisor")]),
    ("employment.supervisor@demo.portal", "supervisor, employment", True, False, [("employment", "supervisor")]),
    ("city.supervisor@demo.portal", "city supervisor", True, False, []),
    ("admin@demo.portal", "superuser", True, True, []),
]
# The city supervisor is staff above departments: no membership; load_demo_history (statistics) gives the role.
PAGES = {"resident": "/accounts/login/", "city supervisor": "/statistics/city/"}  # where each signs in (else /admin/)


class Command(BaseCommand):
    help = "Load the catalogue and demo logins (embedded/development mode only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo logins have a published password: load_demo runs only with DJANGO_DEBUG=true.")
        with transaction.atomic():
            count = catalogue_load(data=CATALOGUE)
            departments = {department.code: department for department in Department.objects.all()}
            for email, _role, is_staff, is_superuser, memberships in USERS:
                user = _demo_user(email, is_staff=is_staff, is_superuser=is_superuser)
                if not is_staff:
                    ResidentProfile.objects.update_or_create(user=user, defaults=DEMO_PROFILE)
                for code, role in memberships:
                    DepartmentMembership.objects.update_or_create(
                        user=user, department=departments[code], defaults={"role": role}
                    )
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {len(departments)} departments, {count} services."))
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for email, role, *_ in USERS:
            where = PAGES.get(role, "/admin/")
            self.stdout.write(f"  {email:40} {role:25} sign in at {settings.PORTAL_URL.rstrip('/')}{where}")


def _demo_user(email: str, *, is_staff: bool, is_superuser: bool) -> User:
    user = User.objects.filter(email=email).first() or User(email=email)
    user.is_staff, user.is_superuser = is_staff, is_superuser
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user
