"""Editing a service in the admin: forms and rules checked, a changed form published as a new version, a preview."""

import pytest
from django.urls import reverse

from services.catalogue.models import FormVersion
from tests.conftest import staff_login
from tests.factories import STEPS_SCHEMA, ServiceFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    staff_login(client, StaffFactory(is_superuser=True))
    client.cookies["django_language"] = "en"
    return client


def change_data(service, **changes) -> dict:
    import json

    data = {
        "department": service.department_id,
        "slug": service.slug,
        "category": service.category,
        "is_active": "on",
        "assurance": service.assurance,
        "processing_days": service.processing_days,
        "fee_rule": "{}",
        "title_zh": service.title_zh,
        "title_en": service.title_en,
        "summary_zh": "",
        "summary_en": "",
        "keywords_zh": "",
        "keywords_en": "",
        "eligibility_rules": "[]",
        "form_schema": json.dumps(service.form_schema),
        "form_versions-TOTAL_FORMS": "0",
        "form_versions-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_saving_a_changed_form_publishes_a_new_version(admin_client, service):
    """Saving the service publishes its form; saving it unchanged keeps the version; a change is version 2."""
    import json

    url = reverse("admin:catalogue_service_change", args=[service.pk])
    assert admin_client.post(url, change_data(service)).status_code == 302
    assert admin_client.post(url, change_data(service)).status_code == 302
    assert list(FormVersion.objects.values_list("number", flat=True)) == [1]

    changed = {**service.form_schema, "required": ["full_name"]}
    response = admin_client.post(url, change_data(service, form_schema=json.dumps(changed)), follow=True)

    assert "The form in use is version 2." in response.content.decode()
    assert FormVersion.objects.get(number=2).schema == changed
    assert FormVersion.objects.get(number=1).schema["required"] == ["full_name", "start_date", "urgent"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("form_schema", '{"type": "object", "properties": {"a": {"type": "array"}}}', "No field type fits"),
        ("form_schema", "not json", "Enter a valid JSON"),
        ("eligibility_rules", '[{"kind": "horoscope"}]', "Rule 1 is not valid"),
        ("eligibility_rules", '[{"kind": "answer", "field": "ghost", "equals": 1}]', "ghost"),
    ],
)
def test_a_broken_form_or_rule_is_refused_with_the_reason(admin_client, service, field, value, message):
    response = admin_client.post(
        reverse("admin:catalogue_service_change", args=[service.pk]), change_data(service, **{field: value})
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FormVersion.objects.filter(service=service).exists()


def test_preview_shows_every_step_and_conditional_question(admin_client, health):
    """The preview renders each step of a version as residents see it, conditions explained."""
    from services.catalogue.actions import form_version_publish

    service = ServiceFactory(department=health, form_schema=STEPS_SCHEMA)
    form_version_publish(service=service)
    url = reverse("admin:catalogue_service_preview", args=[service.pk])

    response = admin_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    for title in ("About you", "Your last job", "Your severance pay", "Your employers"):
        assert title in html
    assert "Asked only when “Severance paid?” is Yes." in html
    assert admin_client.get(f"{url}?version=9").status_code == 404


def test_preview_is_for_staff_only(client, service, resident):
    url = reverse("admin:catalogue_service_preview", args=[service.pk])
    client.force_login(resident)

    assert client.get(url).status_code == 302  # to the admin login
