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
    """Return {department heading: [service titles]} in page order."""
    result = {}
    for heading, body in re.findall(r"<h2 id=\"dept-[^\"]+\">(.*?)</h2>(.*?)</section>", html, re.S):
        result[heading] = re.findall(r"<li><a href=\"[^\"]+\">(.*?)</a>", body)
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


def test_list_query_count_does_not_grow_with_services(client, django_assert_max_num_queries):
    """The catalogue loads every department with its services in one query, however many there are."""
    for code in ("health", "education", "employment"):
        department = DepartmentFactory(code=code, reference_prefix=code[:3].upper())
        ServiceFactory.create_batch(5, department=department)

    with django_assert_max_num_queries(2):
        client.get("/services/")
