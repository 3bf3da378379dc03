"""The public statistics page: open to everyone, in both languages, linked from the home page and the footer, a
constant number of queries however many applications there are, and cached briefly."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from services.applications.decisions import decision_days_refresh
from tests.factories import ServiceFactory
from tests.statistics.data import decided_applications

pytestmark = pytest.mark.django_db

URL = reverse("statistics:public")


def queries_for_the_page(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries)


def test_anyone_sees_the_figures_in_english(en_client, service):
    decided_applications(service, 5)

    response = en_client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "How we are doing: service statistics" in page
    assert service.title_en in page and service.department.name_en in page
    row = re.search(rf'<th scope="row"><a href="{service.get_absolute_url()}">.*?</tr>', page, re.S).group(0)
    assert "100 %" in row  # all decided on time, in the table
    assert re.search(r"<td><span class=\"stat-label\">Median processing time: </span>\d+ working days</td>", row)
    department = re.search(rf'<th scope="row">{service.department.name_en}</th>.*?</tr>', page, re.S).group(0)
    assert "100 %" in department
    assert f'<caption class="visually-hidden">{service.department.name_en}</caption>' in page  # its services' table
    assert "fewer than 5 applications" in page  # the follow-ups: none here, the department's rating: shown
    assert 'aria-hidden="true"' in page and "<svg" in page  # the bars; their figures are written beside them


def test_the_page_speaks_chinese_by_default(client, service):
    response = client.get(URL)

    page = response.content.decode()
    assert "服务统计" in page and service.title_zh in page
    assert "暂无数据" in page


def test_home_and_footer_link_to_the_statistics(en_client, service):
    page = en_client.get(reverse("home")).content.decode()

    assert page.count(f'href="{URL}"') == 2


def test_query_count_does_not_grow_with_the_applications(client, health):
    services = [ServiceFactory(department=health) for _ in range(2)]
    decided_applications(services[0], 2)
    client.get(URL)  # whatever a process keeps between requests (the holiday calendar, say) is now kept
    cache.clear()  # but the figures are counted again
    few = queries_for_the_page(client)

    for service in services:
        decided_applications(service, 20)
    ServiceFactory(department=health)
    cache.clear()
    many = queries_for_the_page(client)

    # services; submissions and decisions, each: its summary's date (then with one: its rows) and those since;
    # ratings, follow-ups, and the holiday calendar unless the process kept it
    assert 7 <= few == many <= 8
    decision_days_refresh(until=timezone.now())
    cache.clear()
    assert 9 <= queries_for_the_page(client) <= 10


def test_the_figures_are_cached_briefly(client, service, settings):
    queries_for_the_page(client)
    decided_applications(service, 5)

    assert queries_for_the_page(client) == 0
    assert "100 %" not in client.get(URL).content.decode()
