"""Fields a resident must not set (status, assignee, queue, owner, decision, ...) are in no request body of the
contract, and sending one is refused by name (400 ``unknown_field``) with nothing changed."""

import pytest
import yaml
from django.conf import settings

from services.applications.models import Application
from tests.factories import ApplicationFactory

from .problems import assert_problem

pytestmark = pytest.mark.django_db

CONTRACT = settings.BASE_DIR / "docs" / "api" / "openapi.yaml"  # equal to the generated schema (test_schema.py)
# What the administration, the routing or the lifecycle decides, never the resident.
FORBIDDEN = (
    "status", "assignee", "team", "queue", "department", "routing_rule", "priority", "applicant", "owner", "user",
    "decision", "decision_reason", "decided_at", "reference", "due_date", "submitted_at", "form_version",
    "scan_status", "is_staff", "email",
)  # fmt: skip


def _properties(schema: dict, components: dict) -> set[str]:
    if "$ref" in schema:
        return _properties(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    names = set(schema.get("properties", {}))
    for combined in ("allOf", "oneOf", "anyOf"):
        for part in schema.get(combined, []):
            names |= _properties(part, components)
    return names


def request_bodies() -> list[tuple[str, set[str]]]:
    """Return every operation of the contract that takes a body, with the top-level fields its bodies accept."""
    contract = yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))
    components = contract["components"]["schemas"]
    return [
        (f"{method.upper()} {path}", set().union(*(_properties(c["schema"], components) for c in body.values())))
        for path, operations in contract["paths"].items()
        for method, operation in operations.items()
        if (body := operation.get("requestBody", {}).get("content"))
    ]


def test_no_request_body_of_the_contract_takes_a_field_the_resident_must_not_set():
    """Generated from the schema: a new input field named like one of these fails here, in review."""
    bodies = request_bodies()
    offending = {name: sorted(fields & set(FORBIDDEN)) for name, fields in bodies if fields & set(FORBIDDEN)}

    assert len(bodies) >= 8  # the walk found the bodies
    assert not offending


@pytest.fixture
def draft(resident, service):
    return ApplicationFactory(applicant=resident, service=service, answers={"full_name": "Li Lei"})


def _valid_bodies(service, draft):
    """A valid body for each write the resident makes most, so that the added field is the only thing wrong."""
    return {
        "create": ("post", "/api/v1/applications/", {"service": service.slug}),
        "save": ("patch", f"/api/v1/applications/{draft.public_id}/", {"answers": {"full_name": "Li Lei"}}),
        "profile": ("patch", "/api/v1/profile/", {"legal_name": "李雷"}),
    }


@pytest.mark.parametrize("write", ["create", "save", "profile"])
@pytest.mark.parametrize("field", FORBIDDEN)
def test_sending_a_field_the_resident_must_not_set_is_refused_by_name(resident_client, service, draft, write, field):
    """The otherwise valid request is a 400 naming the field, and no application changes."""
    method, url, body = _valid_bodies(service, draft)[write]
    before = list(Application.objects.order_by("pk").values())

    response = getattr(resident_client, method)(url, {**body, field: "approved"}, format="json")

    problem = assert_problem(response, 400, code="invalid")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [(field, "unknown_field")]
    assert list(Application.objects.order_by("pk").values()) == before
