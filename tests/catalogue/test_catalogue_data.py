"""The real catalogue (load_catalogue): at least 15 services over three departments, in both languages, each
with its rules, documents and a multi-step form; loading it again changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from services.catalogue.data import CATALOGUE
from services.catalogue.models import Category, Department, DocumentType, FormVersion, LifeEvent, Service
from services.catalogue.selectors import service_list
from services.dynamic_forms.fields import field_type_name
from services.dynamic_forms.forms import AnswersForm
from services.dynamic_forms.structure import form_steps, questions
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    call_command("load_catalogue")


def test_the_catalogue_has_fifteen_services_over_three_departments_in_both_languages(catalogue):
    """Every service has both languages, a category, a processing time, documents, rules and a stepped form."""
    services = Service.objects.prefetch_related("document_types", "life_events")
    assert services.count() >= 15
    assert {
        department: services.filter(department__code=department).count() >= 4
        for department in ("health", "education", "employment")
    } == dict.fromkeys(("health", "education", "employment"), True)
    for service in services:
        assert all([service.title_zh, service.title_en, service.summary_zh, service.summary_en]), service.slug
        assert all([service.keywords_zh, service.keywords_en]), service.slug
        assert Category.objects.filter(code=service.category).exists(), service.slug
        assert service.processing_days > 0 and service.eligibility_rules and service.document_types.exists()
        assert len(form_steps(service.form_schema)) >= 2, service.slug
        for _name, prop in questions(service.form_schema):
            assert prop.get("title") and prop.get("x-title-zh"), (service.slug, _name)
        service.full_clean()
    kinds = {field_type_name(prop) for s in services for _n, prop in questions(s.form_schema)}
    assert kinds >= {
        "text",
        "textarea",
        "integer",
        "number",
        "date",
        "choice",
        "multi_choice",
        "yes_no",
        "phone",
        "resident_id",
        "address",
        "document",
        "group",
    }
    assert any("x-show-if" in prop for s in services for _n, prop in questions(s.form_schema))


def test_loading_again_changes_nothing_and_a_changed_form_is_a_new_version(catalogue, monkeypatch):
    """A second load leaves one version per form; changing a form in the data publishes version 2 of it only."""
    counts = [model.objects.count() for model in (Department, Category, LifeEvent, DocumentType, Service, FormVersion)]

    call_command("load_catalogue")

    assert [
        model.objects.count() for model in (Department, Category, LifeEvent, DocumentType, Service, FormVersion)
    ] == counts
    assert set(FormVersion.objects.values_list("number", flat=True)) == {1}

    spec = next(s for s in CATALOGUE["services"] if s["slug"] == "job-seeker-registration")
    changed = {**spec, "form_schema": {**spec["form_schema"], "required": spec["form_schema"]["required"][:-1]}}
    services = [changed if s is spec else s for s in CATALOGUE["services"]]
    monkeypatch.setitem(CATALOGUE, "services", services)
    call_command("load_catalogue")

    assert sorted(FormVersion.objects.filter(number=2).values_list("service__slug", flat=True)) == [
        "job-seeker-registration"
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_step_of_every_form_renders(catalogue, language):
    """Each step of each real form builds a web form and renders in both languages (a conditional question too)."""
    with translation.override(language):
        for service in Service.objects.all():
            for step in form_steps(service.form_schema):
                form = AnswersForm(schema=service.form_schema, names=step["fields"], answers=None)
                assert form.layout, (service.slug, step["key"])
                for item in form.layout:
                    str(item.get("field", ""))


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("失业", "unemployment-insurance-benefit"),
        ("unemployment", "unemployment-insurance-benefit"),
        ("UNEMPLOYMENT benefit", "unemployment-insurance-benefit"),
        ("ｕｎｅｍｐｌｏｙｍｅｎｔ", "unemployment-insurance-benefit"),  # full-width letters, as some keyboards type
        ("丢了工作", "unemployment-insurance-benefit"),  # a synonym from the search words
        ("laid off", "unemployment-insurance-benefit"),
        ("疫苗", "child-vaccination-booking"),
        ("vaccination", "child-vaccination-booking"),
        ("幼儿园", "kindergarten-enrolment"),
        ("创业补贴", "business-start-up-subsidy"),
        ("start-up", "business-start-up-subsidy"),
        ("医保 报销", "medical-insurance-reimbursement"),
    ],
)
def test_search_finds_services_in_either_language(catalogue, query, slug):
    """Keyword search matches titles, summaries and search words in both languages, Chinese by substring."""
    assert slug in [service.slug for service in service_list(query=query)]


def test_the_unemployment_benefit_comes_first_for_both_words(client, catalogue):
    """On the page, 失业 and unemployment both list the unemployment benefit under its department."""
    for query in ("失业", "unemployment"):
        html = client.get("/services/", {"q": query}).content.decode()
        assert 'href="/services/unemployment-insurance-benefit/"' in html


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"life_event": "losing-a-job"}, {"unemployment-insurance-benefit", "job-seeker-registration"}),
        ({"life_event": "having-a-baby"}, {"maternal-health-record", "child-vaccination-booking"}),
        ({"life_event": "starting-school"}, {"primary-school-enrolment", "kindergarten-enrolment"}),
        ({"life_event": "starting-a-business"}, {"business-start-up-subsidy"}),
        ({"department": "education"}, {"primary-school-enrolment", "student-financial-aid"}),
        ({"category": "school-places"}, {"primary-school-enrolment", "kindergarten-enrolment", "nursery-place"}),
    ],
)
def test_browse_by_department_category_and_life_event(catalogue, filters, expected):
    found = {service.slug for service in service_list(**filters)}

    assert expected <= found
    for service in Service.objects.filter(slug__in=found):
        if "department" in filters:
            assert service.department.code == filters["department"]
        if "category" in filters:
            assert service.category == filters["category"]
        if "life_event" in filters:
            assert service.life_events.filter(code=filters["life_event"]).exists()


def test_browse_page_offers_the_filters_and_life_events(client, catalogue):
    """The list page has department, category and life event filters and a link per life event."""
    response = client.get("/services/", {"life_event": "losing-a-job"})

    page = assert_accessible(response)
    html = response.content.decode()
    assert {"q", "department", "category", "life_event"} <= {c.attrs.get("name") for c in page.controls}
    assert 'href="/services/?life_event=having-a-baby"' in html
    assert '<option value="losing-a-job" selected>' in html
    assert "失业保险金申领" in html and "小学入学登记" not in html


def test_every_service_page_renders_for_anyone(client, catalogue):
    for service in Service.objects.all():
        assert_accessible(client.get(reverse("catalogue:service", kwargs={"slug": service.slug})))


def _choices(prop: dict, path: str):
    """Yield (path, property) of every choice list in an enforced schema property, however deep."""
    if "enum" in prop:
        yield path, prop
    for name, sub in prop.get("properties", {}).items():
        yield from _choices(sub, f"{path}.{name}")
    items = prop.get("items")
    if isinstance(items, dict) and "enum" in items:  # a multiple choice: its labels beside its items
        yield path, {"enum": items["enum"], "x-enum-labels": prop.get("x-enum-labels", {})}
    elif isinstance(items, dict):
        yield from _choices(items, f"{path}[]")


def test_every_choice_of_every_served_form_has_labels_in_both_languages(catalogue, client):
    """An app renders each choice from the served schema alone: every option (the addresses' 16 districts too) has
    an English and a Chinese label, and so have the address's parts."""
    choices = []
    for service in Service.objects.all():
        schema = client.get(f"/api/v1/services/{service.slug}/").json()["form"]["schema"]
        choices += list(_choices(schema, service.slug))
    for path, prop in choices:
        labels = prop.get("x-enum-labels", {})
        for value in prop["enum"]:
            assert labels.get(str(value), {}).get("en") and labels[str(value)].get("zh"), (path, value)
    districts = [prop for path, prop in choices if path.endswith(".district")]
    assert districts and districts[0]["x-enum-labels"]["pudong"] == {"en": "Pudong New Area", "zh": "浦东新区"}
    assert (districts[0]["title"], districts[0]["x-title-zh"]) == ("District", "所在区")
