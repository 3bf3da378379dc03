"""Applying on the web: the generated form, its errors, submission and routing, and following the application."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from services.applications.actions import application_claim, application_decide
from services.applications.models import Application, ApplicationEvent, Status
from tests.factories import ApplicationFactory, ServiceFactory, UserFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "required": ["full_name", "children", "start_date", "urgent"],
    "x-order": ["full_name", "reason", "children", "income", "start_date", "kind", "urgent"],
    "properties": {
        "full_name": {"type": "string", "title": "Full name", "x-title-zh": "姓名", "maxLength": 50},
        "reason": {"type": "string", "x-widget": "textarea", "title": "Reason", "x-title-zh": "申请理由"},
        "children": {"type": "integer", "minimum": 0, "maximum": 20, "title": "Children", "x-title-zh": "子女数"},
        "income": {"type": "number", "minimum": 0, "title": "Monthly income", "x-title-zh": "月收入"},
        "start_date": {"type": "string", "format": "date", "title": "Start date", "x-title-zh": "开始日期"},
        "kind": {
            "type": "string",
            "enum": ["a", "b"],
            "title": "Kind",
            "x-title-zh": "类别",
            "x-enum-labels": {"a": {"en": "Kind A", "zh": "甲类"}, "b": {"en": "Kind B", "zh": "乙类"}},
        },
        "urgent": {"type": "boolean", "title": "Urgent?", "x-title-zh": "是否紧急"},
    },
}
VALID_POST = {
    "full_name": "Li Lei",
    "reason": "Moving house",
    "children": "2",
    "income": "8500.50",
    "start_date": "2026-12-01",
    "kind": "b",
    "urgent": "false",
}


@pytest.fixture
def form_service(health):
    return ServiceFactory(
        department=health, slug="family-doctor", title_zh="家庭医生签约", title_en="Family doctor", form_schema=SCHEMA
    )


@pytest.fixture
def apply_url(form_service):
    return reverse("applications:apply", kwargs={"slug": form_service.slug})


@pytest.fixture
def signed_in(client, resident):
    client.force_login(resident)
    return client


@pytest.fixture
def step_url(signed_in, apply_url):
    """Start an application: the resident lands on the (only) step of the form, with a draft saved."""
    response = signed_in.get(apply_url)
    assert response.status_code == 302
    return response.url


def labels(html: str) -> list[str]:
    """Return the question labels (labels and legends) of the form, without the '(optional)' marker."""
    found = re.findall(
        r'<div class="field[^"]*">\s*(?:<fieldset[^>]*>\s*<legend>|<label for="[^"]+">)(.*?)</', html, re.S
    )
    return [re.sub(r"<span.*", "", label, flags=re.S).strip() for label in found]


def submit_valid(client, apply_url, django_capture_on_commit_callbacks, data=None):
    """Start, answer the step, and submit from the check page; return the submission's response."""
    step_url = client.get(apply_url).url
    check_url = client.post(step_url, data or VALID_POST).url
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(check_url)


def test_apply_requires_sign_in(client, apply_url):
    """An anonymous visitor is sent to sign in first and brought back to the form."""
    response = client.get(apply_url)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={apply_url}"


def test_closed_service_cannot_be_applied_for(signed_in, form_service, apply_url):
    """The form of a closed service is a 404."""
    form_service.is_active = False
    form_service.save()

    assert signed_in.get(apply_url).status_code == 404


def test_form_has_one_field_per_question_with_chinese_labels_by_default(signed_in, step_url):
    """Without a language choice the page is Chinese: one field per question, in x-order, with Chinese labels."""
    response = signed_in.get(step_url)

    assert_accessible(response)
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert labels(html) == ["姓名", "申请理由", "子女数", "月收入", "开始日期", "类别", "是否紧急"]
    assert "甲类" in html and "乙类" in html
    for name in SCHEMA["properties"]:
        assert html.count(f'name="{name}"') == (2 if name in ("kind", "urgent") else 1), name


def test_form_labels_in_english_from_the_language_cookie(signed_in, step_url):
    """With the language cookie set to English, the labels and choices come from the English titles."""
    signed_in.cookies["django_language"] = "en"

    html = signed_in.get(step_url).content.decode()

    assert '<html lang="en">' in html
    assert labels(html) == ["Full name", "Reason", "Children", "Monthly income", "Start date", "Kind", "Urgent?"]
    assert "Kind A" in html


def test_language_switch_sets_english_and_returns_to_the_page(signed_in, step_url):
    """The header's language button (POST /i18n/setlang/) switches to English and returns to the same page."""
    response = signed_in.post(reverse("set_language"), {"language": "en", "next": step_url}, follow=True)

    assert response.redirect_chain[-1][0] == step_url
    assert labels(response.content.decode())[0] == "Full name"


def test_form_field_types(signed_in, step_url):
    """Each question type gets its own control: text, textarea, number, date and radio buttons."""
    html = signed_in.get(step_url).content.decode()

    assert re.search(r'<input type="text" name="full_name" maxlength="50"', html)
    assert re.search(r'<textarea name="reason"', html)
    assert re.search(r'<input type="number" name="children" min="0" max="20"', html)
    assert re.search(r'<input type="number" name="income" min="0" step="any"', html)
    assert re.search(r'<input type="date" name="start_date"', html)
    assert re.search(r'<input type="radio" name="kind" value="a"', html)
    assert re.search(r'<input type="radio" name="urgent" value="true"', html)


BAD_POST = {
    **VALID_POST,
    "full_name": "",  # required, missing
    "reason": "x" * 100_000,  # a 100 KB string
    "children": "three",  # not a number
    "start_date": "2026-02-30",  # not a real date
}


def test_invalid_answers_are_explained_and_kept(signed_in, step_url):
    """A bad step re-renders with a summary linking to each field, errors by the fields, all input kept;
    the draft keeps its earlier answers."""
    signed_in.cookies["django_language"] = "en"

    response = signed_in.post(step_url, BAD_POST)

    page = assert_accessible(response)
    html = response.content.decode()
    summary = html.split('<div class="error-summary"')[1].split("</div>")[0]
    for field in ("full_name", "reason", "children", "start_date"):
        assert f'href="#id_{field}"' in summary, field
    assert sorted(page.error_ids) == sorted(f"id_{f}_error" for f in ("full_name", "reason", "children", "start_date"))
    assert "This field is required." in html
    assert "Enter a whole number." in html
    assert "Enter a valid date." in html
    assert "at most 2000 characters" in html
    # everything typed is still there
    assert "x" * 100_000 in html
    assert 'value="three"' in html
    assert 'value="2026-02-30"' in html
    assert 'value="8500.50"' in html
    assert re.search(r'value="b"[^>]* checked', html)
    assert re.search(r'value="false"[^>]* checked', html)
    assert Application.objects.get().answers == {}


def test_number_out_of_range_and_unchosen_required_radio(signed_in, step_url):
    """Limits from the schema and an unanswered yes/no question are errors on their own fields."""
    signed_in.cookies["django_language"] = "en"
    data = {**VALID_POST, "children": "21"}
    del data["urgent"]

    response = signed_in.post(step_url, data)

    page = assert_accessible(response)
    assert sorted(page.error_ids) == ["id_children_error", "id_urgent_error"]
    assert 'href="#id_urgent_0"' in response.content.decode()  # the summary jumps to the first radio
    assert Application.objects.get().answers == {}


def test_empty_post_shows_the_required_errors(signed_in, step_url):
    """Posting nothing at all still shows what is required (it does not silently show a blank form)."""
    response = signed_in.post(step_url, {})

    assert 'class="error-summary"' in response.content.decode()
    assert Application.objects.get().answers == {}


def test_valid_application_is_submitted_routed_and_confirmed(
    signed_in, resident, apply_url, django_capture_on_commit_callbacks
):
    """A valid form creates the application, routes it after commit, and confirms with the reference."""
    signed_in.cookies["django_language"] = "en"

    response = submit_valid(signed_in, apply_url, django_capture_on_commit_callbacks)

    application = Application.objects.get()
    assert application.applicant == resident
    assert application.answers == {
        "full_name": "Li Lei",
        "reason": "Moving house",
        "children": 2,
        "income": 8500.5,
        "start_date": "2026-12-01",
        "kind": "b",
        "urgent": False,
    }
    assert application.status == Status.ROUTED
    assert application.department.code == "health"
    assert re.fullmatch(r"HLT-\d{4}-\d{6}", application.reference)
    assert response.status_code == 302
    assert response.url == reverse("applications:submitted", kwargs={"public_id": application.public_id})

    confirmation = signed_in.get(response.url)
    assert_accessible(confirmation)
    assert application.reference in confirmation.content.decode()


def test_my_applications_lists_them_with_their_status(
    signed_in, apply_url, django_capture_on_commit_callbacks, form_service
):
    """My applications lists the resident's applications with reference, service and status; nobody else's."""
    signed_in.cookies["django_language"] = "en"
    submit_valid(signed_in, apply_url, django_capture_on_commit_callbacks)
    application = Application.objects.get()
    someone_else = ApplicationFactory(service=form_service, submitted=True)

    response = signed_in.get(reverse("applications:mine"))

    assert_accessible(response)
    html = response.content.decode()
    assert application.reference in html
    assert "Family doctor" in html
    assert "Waiting for a caseworker" in html
    assert someone_else.reference not in html


def test_my_applications_when_there_are_none(signed_in):
    """With no applications the page says so and points to the services."""
    response = signed_in.get(reverse("applications:mine"))

    assert_accessible(response)
    assert f'href="{reverse("catalogue:list")}"' in response.content.decode()


def test_my_applications_come_20_a_page_newest_first(signed_in, resident, form_service):
    """A resident with many applications gets them 20 a page, newest first, with links to the older and newer
    pages; a page past the end shows the last one."""
    signed_in.cookies["django_language"] = "en"
    made = [ApplicationFactory(applicant=resident, service=form_service, routed=True).reference for _ in range(45)]
    references = made[::-1]  # newest first

    pages = [signed_in.get(reverse("applications:mine"), {"page": n}) for n in (1, 2, 3, 99)]
    shown = [[ref for ref in references if f">{ref}<" in page.content.decode()] for page in pages]

    assert_accessible(pages[0])
    assert shown[:3] == [references[:20], references[20:40], references[40:]]
    assert shown[3] == shown[2]
    assert "Page 2" in pages[1].content.decode()
    assert 'href="?page=1"' in pages[1].content.decode() and 'href="?page=3"' in pages[1].content.decode()


def test_detail_shows_answers_with_labels_and_the_timeline(signed_in, apply_url, django_capture_on_commit_callbacks):
    """The detail page shows each answer under its question label, and the resident-visible timeline."""
    signed_in.cookies["django_language"] = "en"
    submit_valid(signed_in, apply_url, django_capture_on_commit_callbacks)
    application = Application.objects.get()
    application.events.create(message="staff-only note", visible_to_resident=False)

    response = signed_in.get(application.get_absolute_url())

    assert_accessible(response)
    html = response.content.decode()
    for label, value in [
        ("Full name", "Li Lei"),
        ("Children", "2"),
        ("Monthly income", "8500.5"),
        ("Start date", "2026-12-01"),
        ("Kind", "Kind B"),
        ("Urgent?", "No"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html, label
    timeline = html.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "Submitted" in timeline
    assert "Waiting for a caseworker" in timeline
    assert "staff-only note" not in timeline
    assert "Withdraw this application" in html


def test_detail_shows_the_decision_and_reason(signed_in, resident, form_service, health_caseworker):
    """Once decided, the detail page shows the decision and the caseworker's reason, and no withdraw button."""
    signed_in.cookies["django_language"] = "en"
    application = ApplicationFactory(applicant=resident, service=form_service, routed=True)
    application = application_claim(application=application, by=health_caseworker)
    application_decide(application=application, by=health_caseworker, approve=False, reason="Proof of address missing")

    response = signed_in.get(application.get_absolute_url())

    assert_accessible(response)
    html = response.content.decode()
    decision = html.split('<section class="decision"')[1].split("</section>")[0]
    assert "Rejected" in decision
    assert "Proof of address missing" in decision
    assert "Withdraw this application" not in html


def test_another_residents_application_is_not_found(signed_in, form_service):
    """Someone else's application does not exist for this resident: detail, confirmation and withdraw are 404."""
    other = ApplicationFactory(applicant=UserFactory(), service=form_service, submitted=True)
    kwargs = {"public_id": other.public_id}

    assert signed_in.get(reverse("applications:detail", kwargs=kwargs)).status_code == 404
    assert signed_in.get(reverse("applications:submitted", kwargs=kwargs)).status_code == 404
    assert signed_in.post(reverse("applications:withdraw", kwargs=kwargs)).status_code == 404
    other.refresh_from_db()
    assert other.status == Status.SUBMITTED


def test_application_pages_require_sign_in(client, form_service):
    """The list and an application's pages send an anonymous visitor to sign in."""
    application = ApplicationFactory(service=form_service, submitted=True)
    for url in (reverse("applications:mine"), application.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))


def test_withdraw_by_post(signed_in, resident, form_service):
    """Withdrawing is a POST; it closes the application, records it on the timeline, and says so."""
    signed_in.cookies["django_language"] = "en"
    application = ApplicationFactory(applicant=resident, service=form_service, routed=True)
    url = reverse("applications:withdraw", kwargs={"public_id": application.public_id})

    assert signed_in.get(url).status_code == 405
    application.refresh_from_db()
    assert application.status == Status.ROUTED

    response = signed_in.post(url, follow=True)

    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    assert response.redirect_chain[-1][0] == application.get_absolute_url()
    html = response.content.decode()
    assert "Your application has been withdrawn." in html
    assert "Withdraw this application" not in html


def test_withdrawing_a_decided_application_is_refused_with_a_message(signed_in, resident, form_service):
    """A decided application cannot be withdrawn; the page explains why instead of failing."""
    signed_in.cookies["django_language"] = "en"
    application = ApplicationFactory(applicant=resident, service=form_service, approved=True)

    response = signed_in.post(
        reverse("applications:withdraw", kwargs={"public_id": application.public_id}), follow=True
    )

    assert response.status_code == 200
    assert "cannot become" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Status.APPROVED


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_resident_pages_query_count_does_not_grow(signed_in, resident, form_service):
    """My applications and an application's page cost the same queries with 1 or 15 applications, 0 or 10 events."""
    first = ApplicationFactory(applicant=resident, service=form_service, routed=True)
    mine = reverse("applications:mine")
    signed_in.get(mine)  # the first request of a session records it (allauth usersessions)
    few = (count_queries(signed_in, mine), count_queries(signed_in, first.get_absolute_url()))

    ApplicationFactory.create_batch(14, applicant=resident, service=form_service, routed=True)
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=first, to_status=Status.ROUTED, message=f"note {n}") for n in range(10)
    )
    many = (count_queries(signed_in, mine), count_queries(signed_in, first.get_absolute_url()))

    assert many == few
