"""The resident ID number is no oracle: saving a number another account holds answers exactly as saving a free one
(web and API: same status, same body, same words), and the claim is settled by a verified identity
(tests/identity/test_web_login.py) or by staff who saw the evidence (the admin's ID number claims: superusers and the
resident-data role, two factors, every look and decision audited)."""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from services.accounts.models import ResidentProfile
from services.audit.models import AuditAction, AuditEntry
from services.notifications.models import Event, Notification
from tests.conftest import staff_login
from tests.factories import DocumentFactory, ResidentProfileFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"
PROFILE = {
    "legal_name": "李雷",
    "id_number": NUMBER,
    "date_of_birth": "1949-12-31",
    "phone": "13812345678",
    "district": "pudong",
    "street_address": "世纪大道 100 号",
    "preferred_language": "en",
}
CLAIMS = reverse("admin:identity_idnumberclaim_changelist")


def _holders(case: str) -> None:
    """Leave NUMBER free, typed by another account, or held by another account's verified identity."""
    if case == "typed elsewhere":
        ResidentProfileFactory(id_number=NUMBER)
    elif case == "verified elsewhere":
        ResidentProfileFactory(id_number=NUMBER, identity_verified_at=dt.datetime.now(dt.UTC))


def _web_save(case: str) -> tuple:
    _holders(case)
    user = UserFactory()
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), PROFILE)
    page = client.get(response["Location"]).content.decode()
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page).replace(user.email, "EMAIL")
    return response.status_code, response["Location"], page


def _api_save(case: str) -> tuple:
    _holders(case)
    user = UserFactory()
    api = APIClient()
    api.force_authenticate(user)
    response = api.patch("/api/v1/profile/", PROFILE, format="json", HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, {**response.json(), "email": "EMAIL"}


@pytest.mark.parametrize("case", ["typed elsewhere", "verified elsewhere"])
def test_a_number_bound_elsewhere_is_saved_on_the_web_exactly_as_a_free_one(case):
    """Status, redirect and the page after it (its words, the form's values) are the same as for a free number."""
    free = _web_save("free")
    ResidentProfile.objects.all().delete()

    bound = _web_save(case)

    assert bound == free
    assert "Your profile has been saved." in bound[2]


@pytest.mark.parametrize("case", ["typed elsewhere", "verified elsewhere"])
def test_a_number_bound_elsewhere_is_saved_in_the_api_exactly_as_a_free_one(case):
    """Status and body (every field, every value) are the same as for a free number."""
    free = _api_save("free")
    ResidentProfile.objects.all().delete()

    bound = _api_save(case)

    assert bound == free and bound[0] == 200 and bound[1]["identity_verified"] is False


@pytest.fixture
def claimants():
    """Two accounts typed the same number; the first has its identity card in the wallet."""
    first = ResidentProfileFactory(id_number=NUMBER, legal_name="王小明")
    DocumentFactory(owner=first.user, original_name="身份证正面.jpg")
    second = ResidentProfileFactory(id_number=NUMBER, legal_name="张伟")
    return first, second


def _claim_url(profile) -> str:
    return reverse("admin:identity_idnumberclaim_change", args=[profile.pk])


def test_staff_settle_a_claimed_number_with_the_evidence_seen_and_audited(claimants):
    """A superuser (two factors) sees both claims and what each account has shown, confirms one: the number is that
    account's alone and verified, the other claim released, both told in neutral words; the looks and the decision
    are in the audit log, the number itself only as its fingerprint."""
    first, second = claimants
    admin = staff_login(Client(headers={"accept-language": "en"}), StaffFactory(is_superuser=True))

    listing = admin.get(CLAIMS)
    page = admin.get(_claim_url(first)).content.decode()
    decided = admin.post(CLAIMS, {"action": "confirm_claim", "_selected_action": [first.pk]}, follow=True)

    assert listing.status_code == 200 and listing.content.decode().count(NUMBER) == 2
    assert first.user.email in page and second.user.email in page and "身份证正面.jpg" in page
    assert "other claims were released" in decided.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.id_number, second.id_number) == (NUMBER, None) and first.is_identity_verified
    told = set(Notification.objects.filter(channel="in_app").values_list("recipient_id", "event"))
    assert told == {(first.user_id, Event.ID_NUMBER_CONFIRMED), (second.user_id, Event.ID_NUMBER_RELEASED)}
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count(AuditAction.VIEW_ID_CLAIM) == 3  # the list, the claim, the list after the decision
    assert actions.count(AuditAction.RESOLVE_ID_CLAIM) == 1
    assert not AuditEntry.objects.filter(detail__contains=NUMBER).exists()


def test_a_number_a_verified_identity_holds_is_not_given_away_by_staff(claimants):
    first, second = claimants
    ResidentProfile.objects.filter(pk=second.pk).update(identity_verified_at=dt.datetime.now(dt.UTC))
    admin = staff_login(Client(headers={"accept-language": "en"}), StaffFactory(is_superuser=True))

    decided = admin.post(CLAIMS, {"action": "confirm_claim", "_selected_action": [first.pk]}, follow=True)

    assert "A verified identity already holds this resident ID number." in decided.content.decode()
    first.refresh_from_db()
    assert first.id_number == NUMBER and not first.is_identity_verified


def test_only_superusers_and_the_resident_data_role_with_two_factors_see_claims(claimants, health):
    """A caseworker is refused; given the resident-data role (a group with the permission) they see the claims;
    the same staff member signed in with a password alone reaches no admin page."""
    caseworker = StaffFactory(department=health)
    assert staff_login(Client(), caseworker).get(CLAIMS).status_code == 403

    role = Group.objects.create(name="resident data")
    role.permissions.add(Permission.objects.get(codename="resolve_idnumberclaim"))
    caseworker.groups.add(role)

    assert staff_login(Client(), caseworker).get(CLAIMS).status_code == 200
    password_only = Client()
    password_only.force_login(caseworker)
    assert password_only.get(CLAIMS).status_code == 302
