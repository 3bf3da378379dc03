"""The OpenAPI schema: valid, free of generator warnings, committed in docs/, and browsable offline."""

import re
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

COMMITTED_SCHEMA = settings.BASE_DIR / "docs" / "api" / "openapi.yaml"
REGENERATE = "make schema"


def generate_schema(*options: str) -> str:
    out = StringIO()
    call_command("spectacular", "--lang", "en", *options, stdout=out)
    return out.getvalue()


def test_schema_generates_without_warnings_and_validates():
    """drf-spectacular generates the schema with no warning and it validates against the OpenAPI 3 spec."""
    generate_schema("--validate", "--fail-on-warn")


def test_committed_schema_is_up_to_date():
    """docs/api/openapi.yaml is exactly what the code generates, so app developers read the real API."""
    assert generate_schema() == COMMITTED_SCHEMA.read_text(encoding="utf-8"), (
        f"docs/api/openapi.yaml is out of date with the API code; regenerate it with:\n    {REGENERATE}"
    )


@pytest.mark.django_db
def test_schema_endpoint_serves_a_valid_schema(client):
    """GET /api/schema/ serves, to anyone, a schema that validates and documents every v1 endpoint."""
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    assert set(schema["paths"]) >= {
        "/api/v1/services/",
        "/api/v1/services/{slug}/",
        "/api/v1/services/{slug}/eligibility/",
        "/api/v1/applications/",
        "/api/v1/applications/{public_id}/",
        "/api/v1/applications/{public_id}/submit/",
        "/api/v1/applications/{public_id}/documents/",
        "/api/v1/document-types/",
        "/api/v1/documents/",
        "/api/v1/documents/{public_id}/file/",
        "/api/v1/notifications/",
        "/api/v1/notifications/unread-count/",
        "/api/v1/notifications/read-all/",
        "/api/v1/notifications/{public_id}/read/",
    }


@pytest.mark.django_db
def test_every_error_response_is_a_problem_body(client):
    """Every documented 4xx response is an application/problem+json Problem."""
    schema = yaml.safe_load(client.get("/api/schema/").content)

    errors = [
        response
        for operation in (op for path in schema["paths"].values() for op in path.values())
        for code, response in operation["responses"].items()
        if code.startswith("4")
    ]
    assert errors
    for response in errors:
        assert response["content"] == {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets(client):
    """/api/docs/ serves Swagger UI whose scripts, styles and icon all come from the portal's own static files."""
    response = client.get("/api/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"(?:https?:)?//", html), "the docs page must not load anything from another host"
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    for url in urls:
        if url.startswith(settings.STATIC_URL):
            assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not a static file of the portal"
        else:
            assert url.startswith("/api/docs/?"), url  # the page's own init script (kept out of the HTML for CSP)


@pytest.mark.django_db
def test_every_operation_documents_its_problem_responses(client):
    """Each operation documents the errors it can answer, as problem bodies: 429 always; 401 unless open to
    anyone; 404 with a path id; 400 and 415 with a JSON body; 409, 413 and 422 where it takes an Idempotency-Key."""
    schema = yaml.safe_load(client.get("/api/schema/").content)
    missing = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            expected = {"429"}
            if {} not in operation.get("security", [{}]) or "security" not in operation:
                expected.add("401")
            if "{" in path:
                expected.add("404")
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                expected |= {"400", "415"}
            if "multipart/form-data" in content:
                expected.add("400")
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if "Idempotency-Key" in headers:
                expected |= {"409", "413", "422"}
            if method == "post" and not path.endswith(("/eligibility/", "/read/", "/read-all/")):
                expected.add("Idempotency-Key header")  # every unsafe POST; marking read is naturally idempotent
                codes |= {"Idempotency-Key header"} if "Idempotency-Key" in headers else set()
            if expected - codes:
                missing.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
    assert not missing, "operations without their problem responses:\n" + "\n".join(missing)


@pytest.mark.django_db
def test_redoc_page_loads_only_local_assets(client):
    """/api/redoc/ serves Redoc from the portal's static files, scripts from 'self' only."""
    response = client.get("/api/redoc/")

    html = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"(?:https?:)?//", html)
    scripts = re.findall(r'src="([^"]+)"', html)
    assert scripts and all(finders.find(url.removeprefix(settings.STATIC_URL)) for url in scripts)
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert 'spec-url="/api/schema/"' in html


@pytest.mark.django_db
def test_schema_is_in_one_language_whatever_the_callers_accept_language(client):
    """/api/schema/ is the English contract with or without Accept-Language (an app's HTTP client may send its
    phone's language); ?lang=zh-hans asks for the Chinese one."""
    plain = client.get("/api/schema/").content.decode()
    labels = "* `awaiting_information` - Waiting for the resident's information"

    assert plain == client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert plain == client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert labels in plain
    assert "待申请人补充信息" in client.get("/api/schema/?lang=zh-hans").content.decode()


@pytest.mark.django_db
def test_the_app_account_api_spec_page_works_offline(client):
    """/api/auth/openapi.html (allauth's app API) is the portal's own Redoc page, from its static files, over
    allauth's JSON specification."""
    response = client.get("/api/auth/openapi.html")

    html = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"(?:https?:)?//", html)
    scripts = re.findall(r'src="([^"]+)"', html)
    assert scripts and all(finders.find(url.removeprefix(settings.STATIC_URL)) for url in scripts)
    assert 'spec-url="/api/auth/openapi.json"' in html
    assert client.get("/api/auth/openapi.json").json()["info"]
