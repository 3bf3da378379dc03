"""The city view: only city supervisors and administrators (two factors) see it, in both languages; it reads only
the summary table (a constant number of queries, never the applications table); the open data is public, without
personal data, and safe to open in a spreadsheet."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.accounts.models import DepartmentMembership
from services.statistics.actions import city_figures_refresh, city_supervisor_grant
from tests.conftest import staff_login, unavailable
from tests.factories import ApplicationFactory, ResidentProfileFactory, ServiceFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("statistics:city")
CSV, JSON = reverse("statistics:city-open-data-csv"), reverse("statistics:city-open-data-json")


@pytest.fixture
def city_supervisor():
    user = StaffFactory()
    city_supervisor_grant(user=user)
    return user


def applications(service, n: int, *, district: str = "pudong", months_ago: int = 1):
    """``n`` applications to ``service`` by residents of ``district``, submitted ``months_ago`` months ago."""
    submitted = timezone.now() - dt.timedelta(days=31 * months_ago)
    for _ in range(n):
        applicant = ResidentProfileFactory(district=district, legal_name="韩梅梅").user
        ApplicationFactory(service=service, applicant=applicant, submitted=True, submitted_at=submitted)


def test_a_city_supervisor_sees_every_departments_figures_in_english(client, city_supervisor, service, education):
    applications(service, 6)
    applications(ServiceFactory(department=education), 2, district="xuhui")
    city_figures_refresh()
    client.cookies["django_language"] = "en"

    response = staff_login(client, city_supervisor).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "City view: demand and delays" in page
    assert service.title_en in page and service.department.name_en in page and education.name_en in page
    assert "Pudong New Area" in page and "<svg" in page and 'role="img"' in page  # the map, its table beside
    assert "fewer than 5 applications" in page  # Xuhui's 2
    assert "韩梅梅" not in page  # no personal data


def test_the_page_speaks_chinese_by_default(client, city_supervisor, service):
    response = staff_login(client, city_supervisor).get(URL)

    page = response.content.decode()
    assert "全市" in page and "浦东新区" in page and service.title_zh in page


def test_an_administrator_sees_it(client, service):
    admin = StaffFactory(is_superuser=True)

    assert staff_login(client, admin).get(URL).status_code == 200


@pytest.mark.parametrize("who", ["resident", "caseworker", "supervisor"])
def test_anyone_else_finds_no_such_page(client, who, health):
    user = UserFactory()
    if who != "resident":
        user = StaffFactory(department=health, department__role=DepartmentMembership.Role(who))
        staff_login(client, user)
    else:
        client.force_login(user)

    assert client.get(URL).status_code == 404


def test_a_visitor_or_a_password_alone_is_sent_to_sign_in(client, city_supervisor):
    assert client.get(URL).status_code == 302  # not signed in

    client.force_login(city_supervisor)  # no second factor in this session

    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_a_city_supervisor_reaches_no_application(client, city_supervisor, service):
    """Aggregates only: the staff workspace shows them no department's applications."""
    application = ApplicationFactory(service=service, routed=True)
    staff_login(client, city_supervisor)

    assert client.get(reverse("admin:applications_application_change", args=[application.pk])).status_code in (
        302,
        403,
        404,
    )


def page_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return [query["sql"] for query in queries]


def test_the_page_costs_the_same_queries_and_never_reads_the_applications(client, city_supervisor, service, education):
    staff_login(client, city_supervisor)
    applications(service, 1)
    city_figures_refresh()
    few = page_queries(client)

    for months_ago in range(1, 8):
        applications(ServiceFactory(department=education), 5, district="chongming", months_ago=months_ago)
    city_figures_refresh()
    many = page_queries(client)

    assert len(many) == len(few) == 13, "\n".join(many)
    assert not [sql for sql in many if "applications_application" in sql]


def test_no_plan_of_the_page_scans_the_applications_table(client, city_supervisor, service):
    """As tests/integration/test_query_plans.py: PostgreSQL plans each of the page's queries with sequential scans
    priced out of reach; no plan may read the applications table at all."""
    if connection.vendor != "postgresql":
        unavailable("query plans are PostgreSQL's: set DATABASE_URL=postgres://...")
    applications(service, 5)
    city_figures_refresh()
    queries = page_queries(staff_login(client, city_supervisor))
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for sql in queries:
            if sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                assert "applications_application" not in json.dumps(cursor.fetchone()[0])
        cursor.execute("SET enable_seqscan = on")


def test_the_open_data_is_public_without_personal_data(client, service):
    service.title_en = "=HYPERLINK(1)"
    service.save()
    applications(service, 6)
    city_figures_refresh()

    csv_text = client.get(CSV).content.decode("utf-8-sig")
    data = json.loads(client.get(JSON).content)

    assert "'=HYPERLINK(1)" in csv_text  # a spreadsheet shows it, never runs it
    assert csv_text.splitlines()[0] == "table,code,name_zh,name_en,month,figure,value,status"
    pudong = [row for row in data["rows"] if row["table"] == "district" and row["code"] == "pudong"]
    assert pudong == [{**pudong[0], "figure": "applications", "value": 6, "status": "shown"}]
    xuhui = [row for row in data["rows"] if row["table"] == "district" and row["code"] == "xuhui"][0]
    assert xuhui["value"] == 0 and data["about"]["minimum_applications"] == 5
    assert "韩梅梅" not in csv_text and "example.test" not in csv_text and "11010519491231002X" not in csv_text
