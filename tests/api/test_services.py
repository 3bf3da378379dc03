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


def test_service_list_item_has_department_category_time_and_fee(anonymous_client, service):
    """Each service carries its department, category, processing time and fee; the form is on its own page."""
    item = anonymous_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()[0]

    assert item["department"] == "health"
    assert item["processing_days"] == service.processing_days
    assert item["fee_rule"] == {}
    assert item["fee_text"] == "Free"
    assert "form_schema" not in item


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"q": "疫苗"}, ["vaccine"]),
        ({"q": "DOCTOR"}, ["doctor"]),
        ({"department": "education"}, []),
        ({"life_event": "having-a-baby"}, ["vaccine"]),
        ({"category": "care"}, ["doctor"]),
    ],
)
def test_services_are_searched_and_filtered_as_on_the_web(anonymous_client, health, params, found):
    """The list takes the same search words and filters as the web catalogue."""
    from services.catalogue.models import LifeEvent

    ServiceFactory(department=health, slug="doctor", title_en="Family doctor", category="care")
    vaccine = ServiceFactory(department=health, slug="vaccine", title_zh="儿童疫苗接种")
    vaccine.life_events.add(LifeEvent.objects.create(code="having-a-baby", name_zh="生育", name_en="Baby"))

    response = anonymous_client.get(URL, params)

    assert [item["slug"] for item in response.json()] == found


def test_service_detail_has_the_current_form_version_rules_and_documents(anonymous_client, service):
    """The detail gives what the app needs to check eligibility and render the form: the current version's schema
    as enforced (standard JSON Schema with the x- hints), the rules and the required documents."""
    from services.catalogue.actions import form_version_publish
    from services.catalogue.models import DocumentType
    from services.dynamic_forms.validation import enforced_schema

    service.document_types.add(DocumentType.objects.create(code="id-card", name_zh="身份证", name_en="ID card"))
    service.eligibility_rules = [{"kind": "age", "min": 16}]
    service.save()
    version = form_version_publish(service=service)

    body = anonymous_client.get(f"{URL}{service.slug}/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert body["form"] == {"version": version.number, "schema": enforced_schema(service.form_schema)}
    assert body["form"]["schema"]["properties"]["full_name"]["x-title-zh"] == "姓名"
    assert body["eligibility_rules"] == [{"kind": "age", "min": 16}]
    assert body["document_types"] == [{"code": "id-card", "name": "ID card"}]
    assert anonymous_client.get(f"{URL}no-such-service/").status_code == 404


def test_eligibility_check_without_an_account(anonymous_client, health):
    """POST facts and answers, get the outcome and each rule's reason; nothing is saved."""
    service = ServiceFactory(
        department=health,
        form_schema={"type": "object", "properties": {"insured": {"type": "boolean", "title": "Insured?"}}},
        eligibility_rules=[
            {"kind": "district", "in": ["pudong"]},
            {"kind": "answer", "field": "insured", "equals": True},
        ],
    )
    url = f"{URL}{service.slug}/eligibility/"

    eligible = anonymous_client.post(url, {"district": "pudong", "answers": {"insured": True}}, format="json")
    unknown = anonymous_client.post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert eligible.status_code == 200
    assert eligible.json()["outcome"] == "eligible"
    assert [rule["outcome"] for rule in eligible.json()["rules"]] == ["eligible", "eligible"]
    assert unknown.json()["outcome"] == "unknown"
    assert unknown.json()["outcome_label"] == "Can't tell yet"
    assert unknown.json()["rules"][0]["reason"].endswith("tell us your district to check.")


def test_eligibility_check_uses_a_signed_in_residents_profile(resident_client, resident, health):
    from tests.factories import ResidentProfileFactory

    ResidentProfileFactory(user=resident, district="xuhui")
    service = ServiceFactory(department=health, eligibility_rules=[{"kind": "district", "in": ["pudong"]}])

    response = resident_client.post(f"{URL}{service.slug}/eligibility/", {}, format="json")

    assert response.json()["outcome"] == "not_eligible"


@pytest.mark.parametrize("count", [1, 10])
def test_query_count_does_not_grow_with_services(anonymous_client, django_assert_num_queries, count):
    """Listing services costs one query however many services (and departments) there are."""
    for index in range(count):
        ServiceFactory(department=DepartmentFactory(code=f"dept{index}", reference_prefix=f"D{chr(65 + index)}A"))

    with django_assert_num_queries(1):
        response = anonymous_client.get(URL)

    assert len(response.json()) == count
