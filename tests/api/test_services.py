"""The public service catalogue: open services only, in the caller's language, in a constant number of queries."""

import pytest

from tests.factories import DepartmentFactory, ServiceFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/services/"


def test_anonymous_caller_sees_active_services_only(anonymous_client, service):
    """Anyone may list services; a service closed for applications is not listed."""
    ServiceFactory(department=service.department, is_active=False)

    response = anonymous_client.get(URL)

    assert response.status_code == 200
    assert [item["slug"] for item in response.json()] == [service.slug]


def test_titles_are_chinese_by_default(anonymous_client, service):
    """Without Accept-Language the titles are in Chinese, the portal's default language."""
    response = anonymous_client.get(URL)

    assert response.json()[0]["title"] == service.title_zh


def test_titles_follow_accept_language(anonymous_client, service):
    """With Accept-Language: en the titles are in English."""
    response = anonymous_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()[0]["title"] == service.title_en


def test_service_body_has_what_the_app_needs_to_render_the_form(anonymous_client, service):
    """Each service carries its department, processing time, fee and form schema."""
    item = anonymous_client.get(URL).json()[0]

    assert item["department"] == "health"
    assert item["processing_days"] == service.processing_days
    assert item["fee_yuan"] == "0.00"
    assert item["form_schema"] == service.form_schema


@pytest.mark.parametrize("count", [1, 10])
def test_query_count_does_not_grow_with_services(anonymous_client, django_assert_num_queries, count):
    """Listing services costs one query however many services (and departments) there are."""
    for index in range(count):
        ServiceFactory(department=DepartmentFactory(code=f"dept{index}", reference_prefix=f"D{chr(65 + index)}A"))

    with django_assert_num_queries(1):
        response = anonymous_client.get(URL)

    assert len(response.json()) == count
