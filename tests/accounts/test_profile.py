"""The resident profile page: sign-in required, saves valid facts, explains bad ones without losing input."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from services.accounts.models import District, ResidentProfile
from tests.factories import ResidentProfileFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

VALID = {
    "legal_name": "李雷",
    "id_number": "11010519491231002X",
    "date_of_birth": "1949-12-31",
    "phone": "138 1234 5678",
    "district": "pudong",
    "street_address": "世纪大道 100 号",
    "preferred_language": "zh-hans",
}


@pytest.fixture
def signed_in(en_client, resident):
    en_client.force_login(resident)
    return en_client


def error_next_to(html: str, field: str) -> str:
    """Return the text of the error message rendered for ``field`` (linked to it by aria-describedby)."""
    match = re.search(rf'<p class="error-message" id="id_{field}_error">(.*?)</p>', html, re.S)
    assert match, f"no error shown next to {field}"
    assert re.search(rf'<[^>]+id="id_{field}"[^>]*aria-describedby="[^"]*id_{field}_error', html) or re.search(
        rf'aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*id="id_{field}"', html
    ), f"the {field} input is not described by its error"
    return re.sub(r"<[^>]+>", "", match.group(1))


def assert_all_values_kept(html: str, data: dict) -> None:
    for name, value in data.items():
        if name in ("district", "preferred_language"):
            assert re.search(rf'<option value="{value}"[^>]* selected>', html), f"{name} choice lost"
        else:
            assert f'value="{value}"' in html, f"{name} value lost"


def test_profile_requires_sign_in(client):
    """An anonymous visitor is sent to the sign-in page and comes back afterwards."""
    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={reverse('accounts:profile')}"


def test_empty_profile_form_renders_with_shanghai_districts(signed_in):
    """The district question offers exactly Shanghai's 16 districts (plus the empty choice)."""
    response = signed_in.get(reverse("accounts:profile"))

    assert_accessible(response)
    html = response.content.decode()
    options = re.findall(r'<option value="([^"]*)"', html.split('name="district"')[1].split("</select>")[0])
    assert options == [""] + [value for value, _label in District.choices]
    assert len(District.choices) == 16
    assert {"pudong", "huangpu", "xuhui", "jingan", "chongming", "minhang"} <= set(options)


def test_saving_a_valid_profile(signed_in, resident):
    """Valid facts are saved (phone digits only, ID upper-case) and the page confirms it, in the language chosen."""
    data = {**VALID, "id_number": "11010519491231002x", "preferred_language": "en"}
    response = signed_in.post(reverse("accounts:profile"), data, follow=True)

    assert_accessible(response)
    assert "Your profile has been saved." in response.content.decode()
    profile = ResidentProfile.objects.get(user=resident)
    assert profile.id_number == "11010519491231002X"
    assert profile.date_of_birth == dt.date(1949, 12, 31)
    assert profile.phone == "13812345678"
    assert profile.district == District.PUDONG
    assert profile.is_complete


def test_saving_updates_an_existing_profile(signed_in, resident):
    """A resident with a profile edits it in place rather than creating another one."""
    ResidentProfileFactory(user=resident, legal_name="Old name", id_number=None)

    signed_in.post(reverse("accounts:profile"), {**VALID, "legal_name": "New name"})

    assert ResidentProfile.objects.get(user=resident).legal_name == "New name"
    assert ResidentProfile.objects.count() == 1


def test_phone_with_country_code_is_accepted(signed_in, resident):
    """+86 in front of a mainland mobile number is understood."""
    signed_in.post(reverse("accounts:profile"), {**VALID, "phone": "+86 138-1234-5678"})

    assert ResidentProfile.objects.get(user=resident).phone == "13812345678"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "last character does not match"),
        ({"id_number": "1101051949123100"}, "id_number", "17 digits followed by a digit or X"),
        ({"date_of_birth": "1950-01-01"}, "date_of_birth", "does not match your resident ID number"),
        ({"phone": "12345"}, "phone", "11-digit mainland mobile number"),
        ({"phone": "23812345678"}, "phone", "11-digit mainland mobile number"),
    ],
    ids=["id-check-digit", "id-too-short", "birth-date-mismatch", "phone-too-short", "phone-not-mobile"],
)
def test_invalid_profile_shows_the_error_by_the_field_and_keeps_every_value(
    signed_in, resident, changes, field, message
):
    """A bad ID number, birth date or phone is explained next to its field; nothing typed is lost, nothing saved."""
    data = {**VALID, **changes}

    response = signed_in.post(reverse("accounts:profile"), data)

    page = assert_accessible(response)
    html = response.content.decode()
    assert message in error_next_to(html, field)
    assert f'href="#id_{field}"' in html  # the error summary links to the field
    assert page.error_ids == [f"id_{field}_error"]  # no misleading second error
    assert_all_values_kept(html, data)
    assert not ResidentProfile.objects.filter(user=resident).exists()


def test_invalid_edit_does_not_change_the_saved_profile(signed_in, resident):
    """A rejected edit leaves the stored profile exactly as it was."""
    ResidentProfileFactory(user=resident, legal_name="李雷", phone="13812345678")

    signed_in.post(reverse("accounts:profile"), {**VALID, "legal_name": "韩梅梅", "phone": "999"})

    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.legal_name, profile.phone) == ("李雷", "13812345678")


def test_an_id_number_another_account_typed_is_saved_as_an_unverified_claim_without_saying_so(signed_in, resident):
    """The ID number is no oracle: a number another account typed first is saved like any other (never "already
    exists"), held as an unverified claim by both until a verified identity settles it."""
    other = ResidentProfileFactory(id_number=VALID["id_number"])

    response = signed_in.post(reverse("accounts:profile"), VALID)

    assert response.status_code == 302
    mine = ResidentProfile.objects.get(user=resident)
    assert mine.id_number == other.id_number == VALID["id_number"]
    assert mine.identity_verified_at is None and other.identity_verified_at is None
    page = signed_in.get(reverse("accounts:profile")).content.decode()
    assert "already" not in page.lower()


def test_an_id_number_held_by_a_verified_identity_is_saved_as_a_claim_without_saying_so(signed_in, resident):
    """Even the number of a verified identity is not revealed: the typed claim is saved, unverified, the owner's
    verified number untouched."""
    owner = ResidentProfileFactory(id_number=VALID["id_number"], identity_verified_at=dt.datetime.now(dt.UTC))

    response = signed_in.post(reverse("accounts:profile"), VALID)

    assert response.status_code == 302
    assert ResidentProfile.objects.get(user=resident).identity_verified_at is None
    owner.refresh_from_db()
    assert owner.id_number == VALID["id_number"] and owner.identity_verified_at is not None


def test_verified_facts_are_shown_locked_and_a_forged_change_is_refused(signed_in, resident):
    """Name, ID number and date of birth from a verified identity are shown disabled, as verified; a post that
    changes them anyway is refused next to the field and nothing is saved."""
    ResidentProfileFactory(
        user=resident,
        **{**VALID, "phone": "13812345678", "date_of_birth": dt.date(1949, 12, 31)},
        identity_verified_at=dt.datetime.now(dt.UTC),
    )

    html = signed_in.get(reverse("accounts:profile")).content.decode()
    for field in ("legal_name", "id_number", "date_of_birth"):
        assert re.search(rf'<input [^>]*name="{field}"[^>]*disabled', html), field
    assert "Confirmed by your verified identity" in html

    response = signed_in.post(reverse("accounts:profile"), {**VALID, "legal_name": "韩梅梅"})

    assert "Confirmed by your verified identity" in error_next_to(response.content.decode(), "legal_name")
    assert ResidentProfile.objects.get(user=resident).legal_name == "李雷"


def test_a_verified_profile_still_saves_its_other_fields(signed_in, resident):
    """The locked facts are simply not posted (disabled inputs); the rest of the profile saves as before."""
    ResidentProfileFactory(
        user=resident,
        legal_name="李雷",
        id_number=VALID["id_number"],
        date_of_birth=dt.date(1949, 12, 31),
        identity_verified_at=dt.datetime.now(dt.UTC),
    )
    unlocked = {k: v for k, v in VALID.items() if k not in ("legal_name", "id_number", "date_of_birth")}

    response = signed_in.post(reverse("accounts:profile"), {**unlocked, "street_address": "淮海中路 1 号"})

    assert response.status_code == 302
    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.street_address, profile.id_number) == ("淮海中路 1 号", VALID["id_number"])


def test_redirects_to_a_local_next_page_only(signed_in):
    """After saving, ?next= is followed when it is a path on this site and ignored when it points elsewhere."""
    local = signed_in.post(f"{reverse('accounts:profile')}?next=/applications/", VALID)
    assert local.url == "/applications/"

    for unsafe in ("https://evil.example/", "//evil.example/", "/\\evil.example/"):
        response = signed_in.post(f"{reverse('accounts:profile')}?next={unsafe}", VALID)
        assert response.url == reverse("accounts:profile"), unsafe


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_saved_date_of_birth_is_shown_in_the_date_input(client, resident, language):
    """A saved date of birth fills the date picker in ISO form in every language (zh-hans formats are 1990/03/07);
    asked only while no ID number holds it."""
    ResidentProfileFactory(user=resident, id_number=None, date_of_birth=dt.date(1949, 12, 31))
    client.cookies["django_language"] = language
    client.force_login(resident)

    html = client.get(reverse("accounts:profile")).content.decode()

    assert re.search(r'<input type="date" name="date_of_birth" value="1949-12-31"', html)
