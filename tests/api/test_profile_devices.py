"""The resident's profile, push devices and withdrawing an application through the API."""

import pytest
from django.test import Client
from django.utils import timezone

from services.accounts.models import Device, ResidentProfile
from services.applications.models import Status
from tests.factories import ApplicationFactory, ResidentProfileFactory, UserFactory

from .problems import assert_problem, error_fields

pytestmark = pytest.mark.django_db

PROFILE_URL = "/api/v1/profile/"
DEVICES_URL = "/api/v1/devices/"


def test_profile_reads_empty_before_anything_is_saved(resident_client, resident):
    """A resident without a profile reads empty fields and ``is_complete`` false."""
    response = resident_client.get(PROFILE_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["email"] == resident.email
    assert body["legal_name"] == "" and body["id_number"] is None and body["is_complete"] is False


def test_profile_patch_changes_only_the_fields_given(resident_client, resident):
    """PATCH saves the fields sent, normalised as the web does, and keeps the others."""
    ResidentProfileFactory(user=resident, legal_name="李雷", id_number="11010519491231002X")

    response = resident_client.patch(
        PROFILE_URL, {"phone": "+86 138 0013 8000", "district": "huangpu", "notify_by_sms": True}, format="json"
    )

    assert response.status_code == 200, response.content
    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.legal_name, profile.phone, profile.district, profile.notify_by_sms) == (
        "李雷",
        "13800138000",
        "huangpu",
        True,
    )


def test_profile_patch_saves_an_id_number_another_account_holds_without_saying_so(resident_client, resident):
    """The API is no oracle either: a number held by another account (verified or not) is saved as an unverified
    claim, answered like any other save."""
    ResidentProfileFactory(id_number="11010519491231002X", identity_verified_at=timezone.now())

    response = resident_client.patch(PROFILE_URL, {"id_number": "11010519491231002X"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["identity_verified"] is False
    assert ResidentProfile.objects.get(user=resident).id_number == "11010519491231002X"


def test_profile_patch_refuses_to_change_verified_facts(resident_client, resident):
    """Name, ID number and date of birth from a verified identity are a 400 naming each field; the same value is
    fine, and nothing is saved on error."""
    ResidentProfileFactory(
        user=resident, legal_name="李雷", id_number="11010519491231002X", identity_verified_at=timezone.now()
    )

    same = resident_client.patch(PROFILE_URL, {"legal_name": "李雷", "phone": "13800138000"}, format="json")
    changed = resident_client.patch(
        PROFILE_URL, {"legal_name": "韩梅梅", "id_number": "310115198503071230", "phone": "13900139000"}, format="json"
    )

    assert same.status_code == 200 and same.json()["identity_verified"] is True
    assert error_fields(assert_problem(changed, 400, "invalid")) == {"legal_name", "id_number"}
    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.legal_name, profile.phone) == ("李雷", "13800138000")


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "does not match your resident ID number"), ("zh-hans", "身份证")],
)
def test_profile_rules_are_the_web_forms_in_both_languages(resident_client, resident, language, words):
    """A date of birth that differs from the ID number is refused with the web form's message, in the request's
    language, and nothing is saved."""
    ResidentProfileFactory(user=resident, id_number="11010519491231002X")

    response = resident_client.patch(
        PROFILE_URL, {"date_of_birth": "1990-01-01"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    body = assert_problem(response, 400, "invalid")
    assert error_fields(body) == {"date_of_birth"}
    assert words in body["errors"][0]["message"]
    assert ResidentProfile.objects.get(user=resident).date_of_birth is None


def test_profile_refuses_bad_values_and_unknown_fields(resident_client):
    """A bad ID number, a bad phone and an unknown field are each named."""
    bad = resident_client.patch(PROFILE_URL, {"id_number": "123", "phone": "12345"}, format="json")
    unknown = resident_client.patch(PROFILE_URL, {"email": "x@example.test"}, format="json")

    assert error_fields(assert_problem(bad, 400)) == {"id_number", "phone"}
    assert error_fields(assert_problem(unknown, 400)) == {"email"}


def test_sms_needs_a_phone(resident_client):
    """Choosing SMS without a mobile number is refused on notify_by_sms, as on the web."""
    response = resident_client.patch(PROFILE_URL, {"notify_by_sms": True}, format="json")

    assert error_fields(assert_problem(response, 400)) == {"notify_by_sms"}


def test_the_web_profile_page_uses_the_same_rules(resident):
    """The web form refuses the same mismatch and saves nothing (it calls the same action)."""
    client = Client()
    client.force_login(resident)

    response = client.post(
        "/profile/", {"id_number": "11010519491231002X", "date_of_birth": "1990-01-01", "preferred_language": "en"}
    )

    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors
    assert not ResidentProfile.objects.filter(user=resident).exists()


def test_profile_needs_a_session(anonymous_client):
    """No token: 401 problem with the challenge."""
    response = anonymous_client.get(PROFILE_URL)

    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "X-Session-Token"


def test_device_register_then_again_then_delete(resident_client, resident):
    """A push token is stored for the caller (201, with the device's id), registering it again is a 200 naming the
    same device, DELETE of that id forgets it (204)."""
    first = resident_client.post(DEVICES_URL, {"platform": "ios", "token": "apns-abc"}, format="json")
    again = resident_client.post(DEVICES_URL, {"platform": "ios", "token": "apns-abc"}, format="json")
    device_url = f"{DEVICES_URL}{first.json()['id']}/"
    deleted = resident_client.delete(device_url)
    missing = resident_client.delete(device_url)

    assert (first.status_code, again.status_code, deleted.status_code) == (201, 200, 204)
    assert first.json()["platform"] == "ios" and again.json()["id"] == first.json()["id"]
    assert_problem(missing, 404)
    assert not Device.objects.exists()


def test_delete_names_the_device_by_its_id_never_by_its_token(resident_client, resident):
    """Another person's device is a 404; the token is no longer taken from the address (405, nothing deleted)."""
    mine = Device.objects.create(user=resident, platform="android", token="fcm:abc-1_2")
    other = Device.objects.create(user=UserFactory(), platform="android", token="fcm:someone-else")

    by_token = resident_client.delete(f"{DEVICES_URL}?token=fcm%3Aabc-1_2")
    not_mine = resident_client.delete(f"{DEVICES_URL}{other.public_id}/")
    deleted = resident_client.delete(f"{DEVICES_URL}{mine.public_id}/")

    assert_problem(by_token, 405)
    assert_problem(not_mine, 404)
    assert deleted.status_code == 204
    assert list(Device.objects.values_list("pk", flat=True)) == [other.pk]


def test_a_token_moves_to_the_phones_new_user(resident_client):
    """A phone handed to another resident: the token now belongs to whoever registered it last."""
    other = UserFactory()
    Device.objects.create(user=other, platform="android", token="fcm-1")

    resident_client.post(DEVICES_URL, {"platform": "android", "token": "fcm-1"}, format="json")

    assert Device.objects.get(token="fcm-1").user != other


def test_device_refuses_an_unknown_platform(resident_client):
    response = resident_client.post(DEVICES_URL, {"platform": "symbian", "token": "x"}, format="json")

    assert error_fields(assert_problem(response, 400)) == {"platform"}


def test_withdraw_an_open_application(resident_client, resident):
    """An open application is withdrawn; the timeline shows it."""
    application = ApplicationFactory(applicant=resident, submitted=True)

    response = resident_client.post(f"/api/v1/applications/{application.public_id}/withdraw/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == Status.WITHDRAWN
    assert response.json()["timeline"][-1]["to_status"] == Status.WITHDRAWN


def test_withdraw_a_draft_or_someone_elses_is_refused(resident_client, resident):
    """A draft cannot be withdrawn (409); another resident's application is a 404."""
    draft = ApplicationFactory(applicant=resident)
    theirs = ApplicationFactory(submitted=True)

    assert_problem(resident_client.post(f"/api/v1/applications/{draft.public_id}/withdraw/"), 409)
    assert_problem(resident_client.post(f"/api/v1/applications/{theirs.public_id}/withdraw/"), 404)
