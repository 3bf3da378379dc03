"""Bad input is answered with a 4xx problem body, saves nothing, and is never a 500."""

import pytest
from rest_framework.test import APIClient

from services.applications.models import Application, Status
from tests.factories import VALID_ANSWERS, ApplicationFactory, ServiceFactory

from .problems import assert_problem, error_fields

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/applications/"


@pytest.fixture
def application_count():
    """Return a function that tells how many applications exist now."""
    return Application.objects.count


@pytest.fixture
def draft(resident, service):
    return ApplicationFactory(applicant=resident, service=service, answers={"full_name": "Li Lei"})


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"answers": {"children": "3"}}, {"answers.children"}, id="integer-as-string"),
        pytest.param({"answers": {"urgent": "yes"}}, {"answers.urgent"}, id="boolean-as-yes"),
        pytest.param({"answers": {"children": 3.5}}, {"answers.children"}, id="fraction-for-integer"),
        pytest.param({"answers": {"children": 21}}, {"answers.children"}, id="number-out-of-range"),
        pytest.param({"answers": {"start_date": "2026-02-30"}}, {"answers.start_date"}, id="impossible-date"),
        pytest.param({"answers": {"kind": "z"}}, {"answers.kind"}, id="not-an-option"),
        pytest.param({"answers": {"full_name": "x" * 100_000}}, {"answers.full_name"}, id="100kb-text"),
        pytest.param({"answers": {"start_date": "2" * 100_000}}, {"answers.start_date"}, id="100kb-date"),
        pytest.param({"answers": {"full_name": "Li\u0000Lei"}}, {"answers.full_name"}, id="nul-character"),
        pytest.param({"answers": {"nickname": "Lei"}}, {"answers.nickname"}, id="unknown-answer-key"),
        pytest.param({"answers": ["Li Lei"]}, {"answers"}, id="answers-a-list"),
        pytest.param({"answers": "Li Lei"}, {"answers"}, id="answers-a-string"),
        pytest.param({"answers": None}, {"answers"}, id="answers-null"),
        pytest.param({"answers": {}, "status": "approved"}, {"status"}, id="unknown-top-level-field"),
        pytest.param({"answers": {}, "service": "Not a slug!"}, {"service"}, id="service-not-a-slug"),
        pytest.param({"answers": {}, "service": ["a"]}, {"service"}, id="service-a-list"),
    ],
)
def test_invalid_draft_is_400_and_saves_nothing(resident_client, service, application_count, body, fields):
    """Each wrong answer or field is named in ``errors`` (dotted path) and no application is created."""
    before = application_count()

    response = resident_client.post(LIST_URL, {"service": service.slug, **body}, format="json")

    problem = assert_problem(response, 400, code="invalid")
    assert error_fields(problem) == fields
    assert len(response.content) < 2_000  # the error does not echo a huge answer back
    assert application_count() == before


@pytest.mark.parametrize("number", ["1e400", "-1e400"])
def test_non_finite_number_answer_is_400(resident_client, health, application_count, number):
    """A number too large for JSON (parsed as infinity) is refused, not stored (PostgreSQL's jsonb cannot hold it)."""
    service = ServiceFactory(
        department=health, form_schema={"type": "object", "properties": {"income": {"type": "number"}}}
    )
    before = application_count()

    response = resident_client.generic(
        "POST", LIST_URL, f'{{"service": "{service.slug}", "answers": {{"income": {number}}}}}', "application/json"
    )

    assert error_fields(assert_problem(response, 400, code="invalid")) == {"answers.income"}
    assert application_count() == before


def test_field_errors_carry_a_message_and_a_code(resident_client, service):
    """An error item says what is wrong in words, in the caller's language, and as a code."""
    body = {"service": service.slug, "answers": {}, "colour": "red"}
    english = resident_client.post(LIST_URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    chinese = resident_client.post(LIST_URL, body, format="json", HTTP_ACCEPT_LANGUAGE="zh-Hans")

    assert assert_problem(chinese, 400)["errors"] == [
        {"field": "colour", "message": "未知字段。", "code": "unknown_field"}
    ]
    assert assert_problem(english, 400)["errors"] == [
        {"field": "colour", "message": "Unknown field.", "code": "unknown_field"}
    ]


@pytest.mark.parametrize(
    ("content_type", "payload", "status", "code"),
    [
        pytest.param("application/json", "{not json", 400, "parse_error", id="broken-json"),
        pytest.param("application/json", "[]", 400, "invalid", id="json-list"),
        pytest.param("application/json", "null", 400, "invalid", id="json-null"),
        pytest.param("application/json", "", 400, "invalid", id="empty-body"),
        pytest.param("application/json", '{"answers": NaN}', 400, "parse_error", id="json-nan"),
        pytest.param("text/plain", "service=x", 415, "unsupported_media_type", id="plain-text"),
        pytest.param("application/x-www-form-urlencoded", "service=x", 415, "unsupported_media_type", id="form"),
    ],
)
def test_body_that_is_not_a_json_object_is_refused(
    resident_client, application_count, content_type, payload, status, code
):
    """A body that is not a JSON object is a 400 (or 415 for another media type), never a 500."""
    before = application_count()

    response = resident_client.generic("POST", LIST_URL, payload, content_type=content_type)

    assert_problem(response, status, code=code)
    assert application_count() == before


@pytest.mark.parametrize("slug", ["no-such-service", "closed"])
def test_unknown_or_closed_service_is_404(resident_client, health, application_count, slug):
    """A service slug that does not exist, or a service closed for applications, is not found."""
    ServiceFactory(department=health, slug="closed", is_active=False)
    before = application_count()

    response = resident_client.post(LIST_URL, {"service": slug, "answers": {}}, format="json")

    assert_problem(response, 404, code="not_found")
    assert application_count() == before


def test_submit_with_missing_required_answers_is_400_and_stays_draft(resident_client, draft):
    """Submitting a draft that lacks required answers names each missing one; the draft stays a draft."""
    response = resident_client.post(f"/api/v1/applications/{draft.public_id}/submit/")

    problem = assert_problem(response, 400, code="invalid")
    assert error_fields(problem) == {"answers.start_date", "answers.urgent"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.events.count() == 0


def test_submitting_twice_is_409(resident_client, resident, service, django_capture_on_commit_callbacks):
    """A second submit of the same application is a conflict, and the first submit's result stands."""
    application = ApplicationFactory(applicant=resident, service=service, answers=VALID_ANSWERS)
    url = f"/api/v1/applications/{application.public_id}/submit/"
    with django_capture_on_commit_callbacks(execute=True):
        resident_client.post(url)

    response = resident_client.post(url)

    assert_problem(response, 409, code="invalid_transition")
    application.refresh_from_db()
    assert application.status == Status.ROUTED
    assert application.events.filter(to_status=Status.SUBMITTED).count() == 1


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/applications/not-a-uuid/"),
        ("post", "/api/v1/applications/not-a-uuid/submit/"),
        ("get", "/api/v1/applications/00000000-0000-0000-0000-000000000000/"),
        ("post", "/api/v1/applications/00000000-0000-0000-0000-000000000000/submit/"),
        ("get", "/api/v1/no-such-endpoint/"),
        ("post", "/api/v1/no-such-endpoint/"),
        ("options", "/api/v1/no-such-endpoint/"),
    ],
)
def test_malformed_or_unknown_path_is_a_404_problem(resident_client, method, url):
    """A malformed id, an unknown id or an unknown API path is a 404 problem body, not an HTML page."""
    response = getattr(resident_client, method)(url)

    assert_problem(response, 404, code="not_found")


def test_wrong_method_is_405(resident_client, draft):
    """A method an endpoint does not support is a 405 problem body."""
    response = resident_client.delete(f"/api/v1/applications/{draft.public_id}/")

    assert_problem(response, 405, code="method_not_allowed")
    assert Application.objects.filter(pk=draft.pk).exists()


def test_error_detail_follows_accept_language(resident_client):
    """Problem details are written in the caller's language."""
    english = resident_client.get("/api/v1/applications/not-a-uuid/", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = resident_client.get("/api/v1/applications/not-a-uuid/").json()

    assert english["detail"] == "Not found."
    assert chinese["detail"] != english["detail"]
    assert chinese["code"] == english["code"] == "not_found"


@pytest.mark.parametrize("depth", [8, 900, 100_000])
def test_a_depth_bomb_is_400_never_500(resident_client, service, application_count, depth):
    """Answers nested deeper than any form (up to a bomb Python's parser cannot even read) are a 400 problem."""
    body = f'{{"service": "{service.slug}", "answers": {{"full_name": {"[" * depth}{"]" * depth}}}}}'

    response = resident_client.generic("POST", LIST_URL, body, "application/json")

    assert_problem(response, 400)
    assert application_count() == 0


@pytest.mark.parametrize(
    ("answers", "fields"),
    [
        pytest.param({"full_name": "x" * 1_000_000}, {"answers.full_name"}, id="1mb-text"),
        pytest.param({"full_name": 12}, {"answers.full_name"}, id="wrong-type"),
        pytest.param({"<script>alert(1)</script>": 1}, {"answers"}, id="script-tag-key"),
        pytest.param({"kind": "<script>alert(1)</script>"}, {"answers.kind"}, id="script-tag-choice"),
        pytest.param({"start_date": "2026-13-01"}, {"answers.start_date"}, id="invalid-date"),
    ],
)
def test_patching_hostile_answers_is_400_and_saves_nothing(resident_client, draft, answers, fields):
    response = resident_client.patch(f"{LIST_URL}{draft.public_id}/", {"answers": answers}, format="json")

    problem = assert_problem(response, 400, code="invalid")
    assert error_fields(problem) == fields
    assert len(response.content) < 2_000
    draft.refresh_from_db()
    assert draft.answers == {"full_name": "Li Lei"}


def test_patching_a_conditional_answer_whose_condition_is_false_is_a_field_error(resident_client, resident, health):
    """An answer to a question the other answers do not ask is named in the errors, not silently stored."""
    from tests.factories import STEPS_SCHEMA

    service = ServiceFactory(department=health, form_schema=STEPS_SCHEMA)
    draft = ApplicationFactory(applicant=resident, service=service, answers={"severance": False})

    response = resident_client.patch(
        f"{LIST_URL}{draft.public_id}/",
        {"answers": {"severance_amount": 100}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    problem = assert_problem(response, 400, code="invalid")
    assert [(e["field"], e["message"]) for e in problem["errors"]] == [
        ("answers.severance_amount", "This question does not apply to your other answers.")
    ]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/applications/", "/api/v1/documents/", "/api/v1/notifications/", "access-log"],
    ids=["applications", "documents", "notifications", "access-log"],
)
def test_a_cursor_the_api_never_gave_is_a_400_on_the_cursor(resident_client, draft, url):
    """A made-up ``cursor`` is a field error on ``cursor`` (documented 400), not DRF's 404 "Invalid cursor"."""
    if url == "access-log":
        url = f"/api/v1/applications/{draft.public_id}/access-log/"

    response = resident_client.get(url, {"cursor": "not-a-cursor\u00cd"})

    assert_problem(response, 400, code="invalid")
    assert error_fields(response.json()) == {"cursor"}


def test_a_nul_character_in_a_catalogue_filter_is_a_400(anonymous_client):
    """PostgreSQL cannot compare text holding NUL: the search is refused as a field error, never a 500."""
    response = anonymous_client.get("/api/v1/services/", {"q": "unemployment", "life_event": "a\u0000b"})

    assert_problem(response, 400, code="invalid")
    assert error_fields(response.json()) == {"life_event"}


def test_a_nul_character_in_an_unknown_field_name_is_a_400_that_replays(resident_client, service, application_count):
    """The error names the unknown field with U+FFFD for the NUL, so its Idempotency-Key replay can be stored."""
    body = {"service": service.slug, "odd\u0000name": 1}

    first = resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="nul-field")
    again = resident_client.post(LIST_URL, body, format="json", HTTP_IDEMPOTENCY_KEY="nul-field")

    assert_problem(first, 400, code="invalid")
    assert error_fields(first.json()) == {"odd\ufffdname"}
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert application_count() == 0


def test_an_unexpected_error_is_a_500_problem_body_and_is_logged(resident, monkeypatch, caplog):
    """A bug behind the API still answers in the one error shape (code ``server_error``), after Django logs it."""

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("services.applications.apis.applications.application_summaries_for_resident", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(resident)

    response = client.get(LIST_URL, HTTP_ACCEPT_LANGUAGE="en")

    body = assert_problem(response, 500, code="server_error")
    assert body["detail"] == "Something went wrong on our side. Try again in a moment."
    assert any(record.levelname == "ERROR" and "a bug" in str(record.exc_info) for record in caplog.records)


def test_an_unexpected_error_on_a_web_page_is_still_the_html_page(client, monkeypatch):
    """Outside /api/ the error page stays Django's (HTML), not a problem body."""

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("services.catalogue.views.service_list", broken)
    client.raise_request_exception = False

    response = client.get("/services/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize("url", ["/api/", "/api/v2/applications/", "/api/auth/nothing/"])
def test_an_unknown_url_under_api_is_a_404_problem(anonymous_client, url):
    """Outside /api/v1/ too, an API client gets the one error shape for a URL that does not exist."""
    assert_problem(anonymous_client.get(url), 404, code="not_found")


def test_an_unknown_web_page_is_still_the_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
