"""OpenAPI helpers for the API views of every app: the documented problem responses and the headers they carry."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .errors import PROBLEM_CONTENT_TYPE, ProblemSerializer
from .idempotency import IDEMPOTENCY_KEY_PARAMETER

PROBLEMS = {
    400: OpenApiResponse(
        ProblemSerializer,
        description="Invalid input; `errors` lists each field. Submitting when the rules say the resident is "
        "not eligible is code `not_eligible`, with each failed rule's reason under `eligibility`.",
    ),
    403: OpenApiResponse(
        ProblemSerializer,
        description="Not allowed to do this: e.g. a mandate that only lets you see the application, or a sign-in "
        "too weak for the service (`assurance_required`: sign in through /api/auth/identity/ first).",
    ),
    401: OpenApiResponse(ProblemSerializer, description="Missing or expired session token."),
    404: OpenApiResponse(ProblemSerializer, description="Not found, or not yours."),
    409: OpenApiResponse(
        ProblemSerializer,
        description="A conflict: the application's status does not allow this now (`invalid_transition`), or a "
        "request with the same Idempotency-Key is still running after a few seconds' wait (`idempotency_key_in_use`).",
    ),
    413: OpenApiResponse(ProblemSerializer, description="The request body is too large (`too_large`)."),
    415: OpenApiResponse(ProblemSerializer, description="The body is not JSON."),
    422: OpenApiResponse(
        ProblemSerializer,
        description="The Idempotency-Key was already used with a different request (`idempotency_key_reused`).",
    ),
    429: OpenApiResponse(ProblemSerializer, description="Too many requests; see Retry-After."),
    503: OpenApiResponse(
        ProblemSerializer,
        description="A system the call needs cannot be reached (the payment provider, the identity provider); "
        "nothing was done, try again (`provider_unavailable`).",
    ),
}
PROBLEM_HEADERS = [
    OpenApiParameter(
        "WWW-Authenticate",
        str,
        OpenApiParameter.HEADER,
        response=[401],
        description="`X-Session-Token`: log in again through the app API.",
    ),
    OpenApiParameter(
        "Retry-After", int, OpenApiParameter.HEADER, response=[429], description="Seconds to wait before retrying."
    ),
]


IDEMPOTENT_PARAMETERS = [*PROBLEM_HEADERS, IDEMPOTENCY_KEY_PARAMETER]
IDEMPOTENT_PROBLEMS = (409, 413, 422)  # a key in use, a body too large, a key reused with another request


CONDITIONAL_PARAMETERS = [
    *PROBLEM_HEADERS,
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The ETag of the copy the app holds: an unchanged response is a 304 without a body.",
    ),
    OpenApiParameter(
        "ETag", str, OpenApiParameter.HEADER, response=[200, 304], description="Changes when the content changes."
    ),
]
NOT_MODIFIED = OpenApiResponse(description="Not modified since the ETag given in If-None-Match.")


def problems(*codes) -> dict:
    """Return the documented error responses for ``codes``, each a problem-details body."""
    return {(code, PROBLEM_CONTENT_TYPE): PROBLEMS[code] for code in codes}
