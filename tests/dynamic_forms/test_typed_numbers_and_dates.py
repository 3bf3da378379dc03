"""Forms that understand people: spaces and dashes typed in phone, ID and bank account numbers are removed, not
refused; dates are checked against today and against each other, with clear messages; on the web and in the API
alike."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from rest_framework.test import APIClient

from services.applications.models import Application
from services.dynamic_forms.validation import normalize_answers, validate_answers, validate_form_schema
from tests.factories import STEPS_SCHEMA, ServiceFactory


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def days_from_today(days: int) -> str:
    """Worked out when the test runs, not when it is collected: a run that crosses midnight in the portal's time
    zone (16:00 UTC in Shanghai) would otherwise check yesterday's "tomorrow"."""
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def date(en: str, **rules) -> dict:
    return {"type": "string", "format": "date", "title": en, "x-title-zh": en, **rules}


SCHEMA = {
    "type": "object",
    "x-order": ["phone", "id_number", "account", "started_on", "ended_on", "preferred"],
    "properties": {
        "phone": {"type": "string", "format": "cn-mobile", "title": "Mobile", "x-title-zh": "手机号码"},
        "id_number": {"type": "string", "format": "cn-resident-id", "title": "ID number", "x-title-zh": "身份证号码"},
        "account": {"type": "string", "format": "cn-bank-account", "title": "Account number", "x-title-zh": "银行账号"},
        "started_on": date("Started", **{"x-when": "past"}),
        "ended_on": date("Ended", **{"x-when": "past", "x-after": "started_on"}),
        "preferred": date("Preferred date", **{"x-when": "future"}),
    },
}
TYPED = {"phone": "+86 138-1234 5678", "id_number": "1101 0519 4912 3100 2x", "account": "6222 0212－3456 7890 12"}
CLEAN = {"phone": "13812345678", "id_number": "11010519491231002X", "account": "622202123456789012"}


def test_spaces_and_dashes_are_removed_from_numbers():
    """Phone (a +86 too), ID (lower-case x too) and bank account numbers lose the spaces and dashes people type,
    full-width ones included; then they are valid."""
    assert normalize_answers(schema=SCHEMA, answers=TYPED) == CLEAN
    assert validate_answers(schema=SCHEMA, answers=normalize_answers(schema=SCHEMA, answers=TYPED)) == {}


def test_numbers_that_are_wrong_once_tidied_are_still_refused():
    """Removing separators never makes a wrong number right: a digit short or a letter is still an error."""
    answers = normalize_answers(schema=SCHEMA, answers={"phone": "138 1234 567", "account": "6222 abc"})
    errors = validate_answers(schema=SCHEMA, answers=answers)
    assert errors == {
        "phone": ["Enter an 11-digit mainland mobile number starting with 1."],
        "account": ["Enter the account number: 12 to 19 digits."],
    }


def test_numbers_in_the_rows_of_a_repeating_group_are_tidied_too():
    schema = {**STEPS_SCHEMA, "properties": {**STEPS_SCHEMA["properties"]}}
    rows = schema["properties"]["employers"]["items"]
    rows["properties"] = {**rows["properties"], "phone": SCHEMA["properties"]["phone"]}
    answers = {"employers": [{"employer": "A", "phone": "138 1234 5678"}], "name": "李 雷"}

    assert normalize_answers(schema=schema, answers=answers) == {
        "employers": [{"employer": "A", "phone": "13812345678"}],
        "name": "李 雷",  # only numbers are tidied
    }


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({"started_on": 1}, {"started_on": ["This date cannot be in the future."]}),
        ({"preferred": -1}, {"preferred": ["This date cannot be in the past."]}),
        (
            {"started_on": "2024-05-01", "ended_on": "2024-04-30"},
            {"ended_on": ["This date cannot be before “Started”."]},
        ),
        ({"started_on": "2024-05-01", "ended_on": "2024-05-01", "preferred": 0}, {}),
        ({"ended_on": "2024-02-30"}, {"ended_on": ["Enter a real date, as YYYY-MM-DD."]}),  # its own error only
    ],
)
def test_date_ranges_are_checked_with_clear_messages(answers, errors):
    """A whole number in the answers is that many days from today."""
    answers = {name: days_from_today(value) if isinstance(value, int) else value for name, value in answers.items()}

    assert validate_answers(schema=SCHEMA, answers=answers, partial=True) == errors


def test_an_end_before_its_start_in_a_row_is_reported_on_that_row():
    schema = {**STEPS_SCHEMA, "properties": {**STEPS_SCHEMA["properties"]}}
    rows = schema["properties"]["employers"]["items"]
    rows["properties"] = {**rows["properties"], "ended_on": date("Ended", **{"x-after": "started_on"})}
    rows["x-order"] = [*rows["x-order"], "ended_on"]
    answers = {"employers": [{"employer": "A", "started_on": "2020-01-06", "ended_on": "2019-12-31"}]}

    assert validate_answers(schema=schema, answers=answers, partial=True) == {
        "employers.0.ended_on": ["This date cannot be before “Started”."]
    }


@pytest.mark.parametrize(
    "rule",
    [{"x-when": "soon"}, {"x-after": "phone"}, {"x-after": "nowhere"}, {"x-after": "ended_on"}],
    ids=["unknown-when", "after-a-non-date", "after-nothing", "after-itself"],
)
def test_a_form_with_a_broken_date_rule_is_refused(rule):
    schema = {**SCHEMA, "properties": {**SCHEMA["properties"], "ended_on": date("Ended", **rule)}}
    with pytest.raises(ValidationError):
        validate_form_schema(schema)
    validate_form_schema(SCHEMA)  # the well-formed one passes


@pytest.mark.django_db
def test_through_the_api(resident, health):
    """The app's typed numbers are saved tidy; an end before its start is a 400 on answers.ended_on."""
    service = ServiceFactory(department=health, form_schema=SCHEMA)
    api = APIClient()
    api.force_authenticate(resident)

    created = api.post("/api/v1/applications/", {"service": service.slug, "answers": TYPED}, format="json")
    assert created.status_code == 201, created.content
    assert Application.objects.get().answers == CLEAN
    url = f"/api/v1/applications/{created.json()['id']}/"
    wrong = api.patch(
        url,
        {"answers": {"started_on": "2024-05-01", "ended_on": "2024-04-30"}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert wrong.status_code == 400
    assert wrong.json()["errors"] == [
        {"field": "answers.ended_on", "message": "This date cannot be before “Started”.", "code": "invalid"}
    ]


@pytest.mark.django_db
def test_on_the_web(client, resident, health):
    """The web form takes the typed numbers (longer than the numbers themselves) and saves them tidy; a date out of
    range is explained next to it in the resident's language, with what was typed kept."""
    service = ServiceFactory(department=health, form_schema=SCHEMA)
    client.force_login(resident)
    client.get(f"/applications/apply/{service.slug}/")
    step = f"/applications/{Application.objects.get().public_id}/steps/answers/"

    saved = client.post(step, {**TYPED, "started_on": "2024-05-01", "ended_on": "2024-05-31"})
    assert saved.status_code == 302
    assert Application.objects.get().answers == {**CLEAN, "started_on": "2024-05-01", "ended_on": "2024-05-31"}

    yesterday = days_from_today(-1)
    wrong = client.post(step, {**TYPED, "started_on": "2024-05-01", "ended_on": "2024-04-30", "preferred": yesterday})
    html = wrong.content.decode()
    assert wrong.status_code == 200
    assert "此日期不能早于“Started”。" in html and "此日期不能早于今天。" in html
    assert 'value="2024-04-30"' in html and f'value="{yesterday}"' in html


@pytest.mark.django_db
def test_the_profile_takes_a_typed_id_number_and_reads_the_birth_date_from_it(client, resident):
    """On the web and in the app, an ID number typed with spaces and dashes is kept tidy, the birth date is read
    from it, and once the number is known the profile page no longer asks for the date."""
    from services.accounts.models import ResidentProfile

    client.force_login(resident)
    saved = client.post("/profile/", {
        "legal_name": "王小明", "id_number": "1101 0519-4912 3100 2x", "phone": "138 1234 5678", "district": "pudong",
        "street_address": "世纪大道100号", "preferred_language": "en", "notify_by_email": "on",
    })  # fmt: skip
    assert saved.status_code == 302, saved.content.decode()[-3000:]
    profile = ResidentProfile.objects.get(user=resident)
    assert (profile.id_number, profile.date_of_birth, profile.phone) == (
        "11010519491231002X", dt.date(1949, 12, 31), "13812345678"
    )  # fmt: skip
    assert 'name="date_of_birth"' not in client.get("/profile/").content.decode()

    api = APIClient()
    api.force_authenticate(resident)
    changed = api.patch("/api/v1/profile/", {"id_number": "3101 1519 9003 0712 39"}, format="json")
    assert changed.status_code == 200, changed.content
    profile.refresh_from_db()
    assert (profile.id_number, profile.date_of_birth) == ("310115199003071239", dt.date(1990, 3, 7))
