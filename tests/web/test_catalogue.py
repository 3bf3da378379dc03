"""The service catalogue: active services grouped by department, search, and a page per service."""

import re

import pytest
from django.urls import reverse

from tests.factories import DepartmentFactory, ServiceFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(health, education):
    """Two health services, one education service, and a closed health service."""
    return {
        "doctor": ServiceFactory(
            department=health, slug="family-doctor", title_zh="家庭医生签约", title_en="Family doctor registration"
        ),
        "vaccine": ServiceFactory(
            department=health, slug="vaccination", title_zh="儿童疫苗接种预约", title_en="Child vaccination booking"
        ),
        "school": ServiceFactory(
            department=education, slug="school", title_zh="小学入学登记", title_en="Primary school enrolment"
        ),
        "closed": ServiceFactory(
            department=health, slug="closed", title_zh="已停办服务", title_en="Discontinued service", is_active=False
        ),
    }


def sections(html: str) -> dict[str, list[str]]:
    """Return {department heading: [service titles]} in page order (the heading's pictogram left out)."""
    result = {}
    for heading, body in re.findall(
        r"<h2 id=\"dept-[^\"]+\"[^>]*>(?:<svg.*?</svg>)?(.*?)</h2>(.*?)</section>", html, re.S
    ):
        result[heading] = re.findall(
            r"<li class=\"service-card\">(?:<svg.*?</svg>)?<div><a href=\"[^\"]+\">(.*?)</a>", body
        )
    return result


@pytest.mark.parametrize("url", ["/", "/services/"])
def test_lists_active_services_grouped_by_department(client, catalogue, url):
    """The home page and /services/ list the open services under their department; a closed one is not listed."""
    response = client.get(url)

    assert_accessible(response)
    assert sections(response.content.decode()) == {
        "education部门": ["小学入学登记"],
        "health部门": ["家庭医生签约", "儿童疫苗接种预约"],
    }


def test_each_service_card_shows_its_categorys_pictogram_hidden_beside_its_title(client, catalogue):
    """A card: the category's inline line drawing, hidden from screen readers (the title says it all), then the
    title as a link; a service without a category has no drawing; no image is requested."""
    catalogue["doctor"].category = "medical-care"
    catalogue["doctor"].save()

    html = client.get("/services/").content.decode()

    card = re.search(
        r'<li class="service-card">(<svg[^>]*>)<path d="([^"]+)"/></svg><div><a href="[^"]+">家庭医生签约', html
    )
    assert card and 'aria-hidden="true"' in card.group(1) and 'focusable="false"' in card.group(1)
    assert card.group(2).startswith("M6 3v6")
    assert re.search(r'<li class="service-card"><div><a href="[^"]+">儿童疫苗接种预约</a>', html)
    assert "<img" not in html


def test_list_in_english(en_client, catalogue):
    """With English chosen, departments and services show their English names."""
    response = en_client.get("/services/")

    assert sections(response.content.decode()) == {
        "Education department": ["Primary school enrolment"],
        "Health department": ["Family doctor registration", "Child vaccination booking"],
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("疫苗", ["儿童疫苗接种预约"]),
        ("school", ["小学入学登记"]),
        ("DOCTOR", ["家庭医生签约"]),
        ("停办", []),  # closed services are not found either
    ],
)
def test_search_by_title_in_either_language(client, catalogue, query, expected):
    """?q= finds open services whose Chinese or English title contains the words, ignoring case."""
    response = client.get("/services/", {"q": query})

    assert_accessible(response)
    found = [title for titles in sections(response.content.decode()).values() for title in titles]
    assert found == expected
    assert f'value="{query}"' in response.content.decode()


def test_search_with_no_match_says_so(en_client, catalogue):
    """A search that finds nothing says so instead of showing an empty page."""
    response = en_client.get("/services/", {"q": "passport"})

    assert "No service matches your search." in response.content.decode()


def test_a_long_search_is_cut_not_refused(client, catalogue):
    """An absurdly long query is shortened, not an error."""
    assert client.get("/services/", {"q": "疫苗" * 5000}).status_code == 200


def test_service_page(en_client, catalogue):
    """A service page shows its title, department, processing time and a start button to the form."""
    response = en_client.get(reverse("catalogue:service", kwargs={"slug": "family-doctor"}))

    assert_accessible(response)
    html = response.content.decode()
    assert "<h1>Family doctor registration</h1>" in html
    assert "Health department" in html
    assert "10 working days" in html
    assert f'href="{reverse("applications:apply", kwargs={"slug": "family-doctor"})}"' in html


@pytest.mark.parametrize("slug", ["closed", "no-such-service"])
def test_closed_or_unknown_service_is_not_found(client, catalogue, slug):
    """A closed service's page is a 404, like one that does not exist."""
    assert client.get(reverse("catalogue:service", kwargs={"slug": slug})).status_code == 404


@pytest.mark.parametrize("per_department", [1, 5])
def test_list_query_count_does_not_grow_with_services(client, django_assert_num_queries, per_department):
    """The catalogue costs four queries however many services: the services with their departments, and the
    departments, categories and life events to browse by."""
    for code in ("health", "education", "employment"):
        department = DepartmentFactory(code=code, reference_prefix=code[:3].upper())
        ServiceFactory.create_batch(per_department, department=department)

    with django_assert_num_queries(4):
        client.get("/services/")


# --- Eligibility on the service page --------------------------------------------------------------------

RULED_SCHEMA = {
    "type": "object",
    "properties": {
        "insured": {"type": "boolean", "title": "Are you insured?", "x-title-zh": "是否参保？"},
        "note": {"type": "string", "title": "Note"},
    },
}
RULES = [
    {"kind": "age", "min": 16, "max": 60},
    {"kind": "district", "in": ["pudong"]},
    {"kind": "answer", "field": "insured", "equals": True},
]


@pytest.fixture
def ruled(health):
    return ServiceFactory(
        department=health, slug="ruled", title_en="Ruled", form_schema=RULED_SCHEMA, eligibility_rules=RULES
    )


def test_anyone_sees_cant_tell_yet_with_what_each_rule_needs_and_a_form_to_answer(en_client, ruled):
    """Without an account or answers, each rule says what it needs; a small form asks exactly that."""
    response = en_client.get(ruled.get_absolute_url())

    page = assert_accessible(response)
    html = response.content.decode()
    assert "We cannot tell yet whether you can apply" in html
    assert "give your date of birth to check" in html and "tell us your district to check" in html
    assert "Answer “Are you insured?” to check" in html
    assert {c.attrs["name"] for c in page.controls} == {"date_of_birth", "district", "q-insured"}


@pytest.mark.parametrize(
    ("answers", "heading", "reason"),
    [
        (
            {"date_of_birth": "1990-03-07", "district": "pudong", "q-insured": "true"},
            "You can apply",
            "You are 36 years",
        ),
        (
            {"date_of_birth": "1950-03-07", "district": "pudong", "q-insured": "true"},
            "You cannot apply",
            "You are 76 years",
        ),
        (
            {"date_of_birth": "1990-03-07", "district": "xuhui", "q-insured": "true"},
            "You cannot apply",
            "You live in Xuhui",
        ),
        (
            {"date_of_birth": "1990-03-07", "q-insured": "true"},
            "We cannot tell yet whether you can apply",
            "tell us your district",
        ),
    ],
)
def test_the_eligibility_check_answers_with_reasons_without_an_account(
    en_client, ruled, answers, heading, reason, monkeypatch
):
    monkeypatch.setattr(
        "services.catalogue.selectors.timezone.localdate", lambda: __import__("datetime").date(2026, 11, 29)
    )

    response = en_client.get(ruled.get_absolute_url(), {"check": "1", **answers})

    assert_accessible(response)
    html = response.content.decode()
    assert f'<h2 id="eligibility-title">{heading}</h2>' in html
    assert reason in html


def test_a_wrong_eligibility_answer_is_a_field_error_not_a_500(en_client, ruled):
    response = en_client.get(
        ruled.get_absolute_url(), {"check": "1", "date_of_birth": "1990-02-30", "district": "mars"}
    )

    page = assert_accessible(response)
    assert set(page.error_ids) == {"id_date_of_birth_error", "id_district_error"}


def test_a_signed_in_resident_is_checked_with_their_profile_and_draft(en_client, resident, ruled):
    """Signed in, the page decides from the profile and the answers in their draft, and offers to continue."""
    from services.applications.actions import application_create_draft
    from tests.factories import ResidentProfileFactory

    ResidentProfileFactory(
        user=resident, date_of_birth=__import__("datetime").date(1990, 3, 7), district="pudong", id_number=None
    )
    draft = application_create_draft(applicant=resident, service=ruled, answers={"insured": True})
    en_client.force_login(resident)

    html = en_client.get(ruled.get_absolute_url()).content.decode()

    assert '<h2 id="eligibility-title">You can apply</h2>' in html
    assert f'href="{draft.get_absolute_url()}"' in html and "Continue your application" in html


def test_answers_given_on_the_eligibility_check_are_carried_into_the_form(en_client, ruled, resident):
    """A resident who answered "Are you insured?" on the service page finds it answered in the new draft."""
    from services.applications.models import Application

    en_client.force_login(resident)
    en_client.get(ruled.get_absolute_url(), {"check": "1", "date_of_birth": "1990-03-07", "q-insured": "true"})

    en_client.get(reverse("applications:apply", kwargs={"slug": ruled.slug}))

    assert Application.objects.get(applicant=resident, service=ruled).answers.get("insured") is True
