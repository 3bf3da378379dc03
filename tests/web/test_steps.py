"""The multi-step application on the web: steps with progress, back and next, a conditional step, a repeating
group, check your answers, submit; drafts saved at every step, resumable, and kept over an expired session."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services.accounts.models import ResidentProfile
from services.applications.models import Application, Status
from services.catalogue.actions import form_version_publish
from services.catalogue.models import DocumentType
from services.documents.models import Document
from tests.documents.files import pdf
from tests.factories import STEPS_SCHEMA, ResidentProfileFactory, ServiceFactory
from tests.web.html import assert_accessible

pytestmark = pytest.mark.django_db

ABOUT = {
    "name": "李雷",
    "id_number": "11010519491231002X",
    "phone": "13812345678",
    "address_0": "pudong",
    "address_1": "世纪大道100号",
}
JOB = {"reason": "ended", "severance": "true"}
HISTORY = {
    "employers-rows": "1",
    "employers-0-employer": "上海某公司",
    "employers-0-started_on": "2020-01-06",
}


def proof_file() -> SimpleUploadedFile:
    """The proof the history step asks for, uploaded right there (tests/web/test_form_documents.py)."""
    return SimpleUploadedFile("proof.pdf", pdf(1), content_type="application/pdf")


@pytest.fixture
def steps_service(health):
    DocumentType.objects.create(code="employment-termination", name_zh="证明", name_en="Proof")
    return ServiceFactory(department=health, slug="benefit", title_en="Benefit", form_schema=STEPS_SCHEMA)


@pytest.fixture(autouse=True)
def _resident_saved_a_profile(resident):
    """The resident saved their profile once, empty: a new account without one is sent to the profile before a form
    that takes facts from it (tests/browser/test_nothing_typed_twice.py)."""
    ResidentProfile.objects.create(user=resident, preferred_language="en")


@pytest.fixture
def browser(en_client, resident):
    en_client.force_login(resident)
    return en_client


def start(client, service) -> tuple[Application, str]:
    """Press Start now: a draft is made and the resident lands on its first step."""
    response = client.get(reverse("applications:apply", kwargs={"slug": service.slug}))
    assert response.status_code == 302
    return Application.objects.get(service=service), response.url


def step_url(application, key: str) -> str:
    return reverse("applications:step", kwargs={"public_id": application.public_id, "key": key})


def check_url(application) -> str:
    return reverse("applications:check", kwargs={"public_id": application.public_id})


def test_start_makes_a_draft_pinned_to_the_form_and_opens_the_first_step(browser, resident, steps_service):
    """The draft belongs to the resident, is filled with the current form version, and step 1 is shown (without a
    total: a later answer may add the severance step, and the total must not change under the resident's feet)."""
    application, url = start(browser, steps_service)

    assert url == step_url(application, "about")
    assert (application.status, application.applicant, application.form_version.number) == (Status.DRAFT, resident, 1)
    page = browser.get(url)
    assert_accessible(page)
    html = page.content.decode()
    assert "Step 1<" in html and "Step 1 of" not in html
    assert "<h1>About you</h1>" in html
    assert 'name="back"' not in html  # nothing to go back to


def test_start_again_carries_on_with_the_same_draft(browser, steps_service):
    """A second Start for the same service resumes the draft instead of making another."""
    application, _url = start(browser, steps_service)
    browser.post(step_url(application, "about"), ABOUT)

    response = browser.get(reverse("applications:apply", kwargs={"slug": steps_service.slug}))

    assert Application.objects.count() == 1
    assert response.url == step_url(application, "job")


def test_continue_saves_the_step_and_moves_on_and_back_keeps_the_answers(browser, steps_service):
    """Each Continue saves; Back saves too and shows the previous step with its answers."""
    application, url = start(browser, steps_service)

    response = browser.post(url, ABOUT)
    assert response.url == step_url(application, "job")
    application.refresh_from_db()
    assert application.answers["address"] == {"district": "pudong", "street": "世纪大道100号"}

    response = browser.post(step_url(application, "job"), {**JOB, "back": ""})
    assert response.url == step_url(application, "about")
    application.refresh_from_db()
    assert application.answers["severance"] is True

    html = browser.get(step_url(application, "about")).content.decode()
    assert 'value="13812345678"' in html
    assert re.search(r'<option value="pudong" selected>', html)
    html = browser.get(step_url(application, "job")).content.decode()
    assert re.search(r'value="true"[^>]* checked', html)
    assert "Step 2<" in html  # a yes to severance asks the severance step: still no total that jumps


def test_the_conditional_step_is_asked_only_after_a_yes(browser, steps_service):
    """Yes leads to the severance step; No skips it and later removes an amount given before."""
    application, url = start(browser, steps_service)
    browser.post(url, ABOUT)

    assert browser.post(step_url(application, "job"), JOB).url == step_url(application, "severance")
    assert browser.post(step_url(application, "severance"), {"severance_amount": "12000"}).url == step_url(
        application, "history"
    )
    application.refresh_from_db()
    assert application.answers["severance_amount"] == 12000

    assert browser.post(step_url(application, "job"), {**JOB, "severance": "false"}).url == step_url(
        application, "history"
    )
    application.refresh_from_db()
    assert "severance_amount" not in application.answers
    assert browser.get(step_url(application, "severance")).status_code == 404


def test_a_step_error_is_explained_and_nothing_is_lost(browser, steps_service):
    """A wrong answer re-renders the step with the summary; the typed values stay, the draft is unchanged."""
    application, url = start(browser, steps_service)

    response = browser.post(url, {**ABOUT, "id_number": "110105194912310021", "phone": "555"})

    page = assert_accessible(response)
    html = response.content.decode()
    assert sorted(page.error_ids) == ["id_id_number_error", "id_phone_error"]
    assert 'href="#id_id_number"' in html
    assert 'value="110105194912310021"' in html and 'value="李雷"' in html
    application.refresh_from_db()
    assert application.answers == {}


def test_a_repeating_group_adds_and_removes_rows_then_saves_them(browser, steps_service):
    """Add another shows a new row (saving nothing yet); the rows filled in become the group's answer."""
    application, url = start(browser, steps_service)
    browser.post(url, ABOUT)
    browser.post(step_url(application, "job"), {**JOB, "severance": "false"})
    history = step_url(application, "history")

    response = browser.post(history, {**HISTORY, "group-action": "add:employers"})

    page = assert_accessible(response)
    assert "id_employers-1-employer" in page.ids
    assert 'value="上海某公司"' in response.content.decode()
    application.refresh_from_db()
    assert "employers" not in application.answers

    data = {
        **HISTORY,
        "proof-file": proof_file(),
        "employers-rows": "2",
        "employers-1-employer": "第二家公司",
        "employers-1-started_on": "2018-03-01",
    }
    assert browser.post(history, data).url == check_url(application)
    application.refresh_from_db()
    assert [row["employer"] for row in application.answers["employers"]] == ["上海某公司", "第二家公司"]
    proof = Document.objects.get(application_links__application=application)
    assert application.answers["proof"] == {
        "document_type": "employment-termination",
        "document_id": str(proof.public_id),
    }


def walk_to_check(client, application):
    client.post(step_url(application, "about"), ABOUT)
    client.post(step_url(application, "job"), JOB)
    client.post(step_url(application, "severance"), {"severance_amount": "12000"})
    return client.post(step_url(application, "history"), {**HISTORY, "proof-file": proof_file()})


def test_check_your_answers_lists_every_step_with_change_links_then_submits(
    browser, steps_service, django_capture_on_commit_callbacks
):
    """The check page shows each answer under its step with a Change link; Change returns to the check page;
    Submit submits and routes."""
    application, _url = start(browser, steps_service)
    assert walk_to_check(browser, application).url == check_url(application)

    response = browser.get(check_url(application))
    assert_accessible(response)
    html = response.content.decode()
    for title in ("About you", "Your last job", "Your severance pay", "Your employers"):
        assert f"<h2>{title}</h2>" in html
    assert "<dd>Pudong New Area 世纪大道100号</dd>" in html
    assert "1. 上海某公司, 2020-01-06" in html
    change = f"{step_url(application, 'job')}?return=check"
    assert f'href="{change}"' in html

    assert browser.post(change, {**JOB, "reason": "resigned"}).url == check_url(application)

    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(check_url(application))
    application.refresh_from_db()
    assert response.url == reverse("applications:submitted", kwargs={"public_id": application.public_id})
    assert application.status == Status.ROUTED
    assert application.answers["reason"] == "resigned"
    assert browser.get(step_url(application, "about")).url == application.get_absolute_url()  # no more changes


def test_submitting_an_incomplete_draft_links_each_problem_to_its_step(browser, steps_service):
    """Missing answers stop the submission; each is listed with a link to the step that asks it."""
    application, url = start(browser, steps_service)
    browser.post(url, ABOUT)

    response = browser.post(check_url(application))

    assert_accessible(response)
    html = response.content.decode()
    assert f'href="{step_url(application, "job")}?return=check">Why did it end?: This question needs an answer.' in html
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_save_and_come_back_later_then_resume_from_my_applications(browser, steps_service):
    """Save for later keeps even an incomplete step and goes to My applications; Continue there opens the first
    step still missing an answer (on any device: the draft is in the database)."""
    application, url = start(browser, steps_service)
    browser.post(url, ABOUT)

    response = browser.post(step_url(application, "job"), {"reason": "ended", "later": ""}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("applications:mine")
    html = response.content.decode()
    assert "Your answers are saved." in html
    assert f'href="{application.get_absolute_url()}"' in html and "Continue" in html
    application.refresh_from_db()
    assert application.answers["reason"] == "ended"
    assert browser.get(application.get_absolute_url()).url == step_url(application, "job")


def test_an_expired_session_keeps_the_posted_step_until_sign_in(client, resident, steps_service):
    """A step posted after the session expired is kept; after signing in again the resident is back on the same
    step with those answers saved."""
    client.force_login(resident)
    application, url = start(client, steps_service)
    client.logout()  # the session expires while the resident is typing

    response = client.post(url, ABOUT)

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={url}"
    application.refresh_from_db()
    assert application.answers == {}

    client.force_login(resident)  # signing in keeps the session's data
    response = client.get(url)
    assert response.status_code == 302 and response.url == url
    application.refresh_from_db()
    assert application.answers["name"] == "李雷"
    page = client.get(url).content.decode()
    assert 'value="李雷"' in page


def test_kept_answers_are_not_given_to_someone_else(client, resident, steps_service):
    """If another person signs in on that browser, the kept step is not theirs: a 404, nothing saved."""
    client.force_login(resident)
    application, url = start(client, steps_service)
    client.logout()
    client.post(url, ABOUT)

    client.force_login(ResidentProfileFactory().user)

    assert client.get(url).status_code == 404
    application.refresh_from_db()
    assert application.answers == {}


def test_profile_facts_fill_the_first_step_marked_as_from_the_profile(browser, resident, steps_service):
    """Name, ID number, phone and address come from the profile, say so, and can be changed."""
    ResidentProfile.objects.filter(user=resident).update(
        legal_name="李雷",
        id_number="11010519491231002X",
        phone="13900001111",
        district="xuhui",
        street_address="漕溪北路1号",
    )

    application, url = start(browser, steps_service)

    assert url == step_url(application, "job")  # the first step is already answered
    url = step_url(application, "about")
    assert application.answers == {
        "name": "李雷",
        "id_number": "11010519491231002X",
        "phone": "13900001111",
        "address": {"district": "xuhui", "street": "漕溪北路1号"},
    }
    html = browser.get(url).content.decode()
    assert html.count("From your profile") == 4
    browser.post(url, {**ABOUT, "phone": "13812345678", "address_0": "xuhui", "address_1": "漕溪北路1号"})
    assert browser.get(url).content.decode().count("From your profile") == 3  # the changed phone is the resident's


def test_a_draft_keeps_its_form_version_after_the_form_changes(browser, steps_service):
    """After the form changes, the draft still shows and checks its own version; a new draft gets the new one."""
    application, url = start(browser, steps_service)
    browser.post(url, ABOUT)
    changed = {**STEPS_SCHEMA, "properties": {**STEPS_SCHEMA["properties"]}}
    changed["properties"]["name"] = {**changed["properties"]["name"], "title": "Legal name"}
    steps_service.form_schema = changed
    steps_service.save()
    assert form_version_publish(service=steps_service).number == 2

    html = browser.get(url).content.decode()

    assert "Full name" in html and "Legal name" not in html
    application.refresh_from_db()
    assert application.form_version.number == 1


def test_another_residents_draft_steps_are_not_found(browser, steps_service):
    """Steps and the check page of someone else's draft are 404s."""
    other = ResidentProfileFactory().user
    from services.applications.actions import application_create_draft

    draft = application_create_draft(applicant=other, service=steps_service)

    assert browser.get(step_url(draft, "about")).status_code == 404
    assert browser.post(check_url(draft)).status_code == 404
