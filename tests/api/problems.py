"""Checks shared by the API tests: every error is the same RFC 9457 problem body."""

PROBLEM_KEYS = {"type", "title", "status", "detail", "code", "errors"}


def assert_problem(response, status: int, code: str | None = None) -> dict:
    """Assert ``response`` is a problem-details answer with ``status`` (and ``code``); return its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    # One extension member, with its own code: the documents a submission still needs.
    assert set(body) == PROBLEM_KEYS | ({"missing_documents"} if body["code"] == "documents_missing" else set())
    assert body["status"] == status
    assert body["type"] == f"urn:portal:problem:{body['code']}"
    assert body["title"] and body["detail"]
    if code is not None:
        assert body["code"] == code
    for error in body["errors"]:
        assert set(error) == {"field", "message", "code"}
        assert error["message"]
    return body


def error_fields(body: dict) -> set[str]:
    """Return the fields a problem body names in its ``errors``."""
    return {error["field"] for error in body["errors"]}
