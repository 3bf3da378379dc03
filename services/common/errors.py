"""Domain errors, raised by actions and mapped once to HTTP (API) and messages (web, admin).

Each error names its HTTP status: the API's error handler answers with it, so a new error needs no code there.
"""

from http import HTTPStatus


class DomainError(Exception):
    """A business rule refused the request; the message is safe to show to the user."""

    code = "domain_error"
    status_code = HTTPStatus.BAD_REQUEST


class NotAllowed(DomainError):
    """The actor may not do this to this object."""

    code = "not_allowed"
    status_code = HTTPStatus.FORBIDDEN


class InvalidTransition(DomainError):
    """The application's current status does not allow this move (often: someone else was first)."""

    code = "invalid_transition"
    status_code = HTTPStatus.CONFLICT


class NotReady(DomainError):
    """The object cannot be used yet (a document still being checked for viruses) or any more."""

    code = "not_ready"
    status_code = HTTPStatus.CONFLICT


class TooMany(DomainError):
    """The actor has used up their allowance of a costly operation (exports, uploads) for the time being."""

    code = "throttled"
    status_code = HTTPStatus.TOO_MANY_REQUESTS


class ValidationFailed(DomainError):
    """Input broke a rule; ``errors`` maps field names to messages."""

    code = "invalid"

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class NotEligible(DomainError):
    """The applicant does not meet the service's eligibility rules; ``errors`` gives each failed rule's reason."""

    code = "not_eligible"

    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors or {}


class DocumentsMissing(ValidationFailed):
    """Documents the form requires are neither attached nor given as an e-licence; ``documents`` lists each as
    ``{"question", "document_type", "name"}`` (the type's code, and its name in the reader's language)."""

    code = "documents_missing"

    def __init__(self, message, errors=None, documents=()):
        super().__init__(message, errors)
        self.documents = list(documents)

    @property
    def problem_extensions(self) -> dict:
        return {"missing_documents": self.documents}
