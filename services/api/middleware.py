"""API middleware: 429 with Retry-After from allauth's app API too; anonymous catalogue reads from a cached copy;
requests the portal cannot read refused before any view."""

import hashlib
import json
import re
import time

from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest, RequestDataTooBig
from django.http import HttpResponse
from django.utils import translation

from .conditional import etag_matches
from .problems import TOO_LARGE, problem_json
from .throttling import AnonRateThrottle

AUTH_PREFIX = "/api/auth/"
API_V1_PREFIX = "/api/v1/"
# The allauth rate limit behind each headless endpoint that has one.
RATE_FOR_PATH = {
    "/auth/login": "login_failed",
    "/auth/signup": "signup",
    "/auth/password/request": "reset_password",
    "/auth/password/reset": "reset_password_from_key",
    "/auth/email/verify/resend": "confirm_email",
}


def _retry_after(path: str) -> int:
    action = next((name for suffix, name in RATE_FOR_PATH.items() if path.endswith(suffix)), None)
    rates = parse_rates(settings.ACCOUNT_RATE_LIMITS.get(action)) if action else []
    return int(max((rate.duration for rate in rates), default=60))


class AuthRateLimitMiddleware:
    """Answer allauth's rate-limited API calls with 429 and Retry-After (the longest window of the limit).

    allauth refuses a login after too many failures with a 400 form error (code ``too_many_login_attempts``) and
    its other limits with a 429 without Retry-After; the app sees both as 429 with a time to wait.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(AUTH_PREFIX) or response.status_code not in (400, 429):
            return response
        if response.status_code == 400 and "json" in response.get("Content-Type", ""):
            try:
                body = json.loads(response.content)
            except ValueError:
                return response
            if not any(error.get("code") == "too_many_login_attempts" for error in body.get("errors", [])):
                return response
            body["status"] = 429
            response.content = json.dumps(body).encode()
            response.status_code = 429
            response.reason_phrase = "Too Many Requests"
        if not response.has_header("Retry-After"):
            response["Retry-After"] = str(_retry_after(request.path))
        return response


class BadInputMiddleware:
    """Refuse what the portal cannot read before a view tries: a NUL character in the address or the query string
    (PostgreSQL holds no NUL in text, so a search for one was a 500) is a 400 (a problem body under /api/, a page
    elsewhere; form fields refuse NUL themselves, and /api/v1/ checks its query parameters with serializers, which
    name the field). allauth's app API, which reads its JSON itself, answers a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    with a 413 problem and JSON nested too deeply with a 400, as the portal's own API does (parsers.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        unchecked = not request.path_info.startswith(API_V1_PREFIX)
        if "\x00" in request.path_info or unchecked and any("\x00" in k + "".join(v) for k, v in request.GET.lists()):
            raise BadRequest("A NUL character in the request's address.")  # handler400 answers it
        if request.path_info.startswith(AUTH_PREFIX) and request.method in ("POST", "PUT", "PATCH", "DELETE"):
            refused = _unreadable_auth_body(request)
            if refused is not None:
                return refused
        return self.get_response(request)


def _unreadable_auth_body(request):
    try:
        body = request.body
    except RequestDataTooBig:
        return problem_json(status_code=413, code="too_large", detail=TOO_LARGE)
    try:
        json.loads(body or b"null")
    except RecursionError:
        return problem_json(status_code=400, code="parse_error", detail="JSON parse error - nested too deeply.")
    except ValueError:
        pass  # malformed JSON: allauth answers it with its own 400
    return None


CATALOGUE_PATH = re.compile(r"^/api/v1/services/(?:[-a-zA-Z0-9_]+/)?$")


class CataloguePageCache:
    """Answer anonymous catalogue reads (GET /api/v1/services/ and a service) from a copy of the whole response,
    ahead of the session, authentication, allauth and CSP middleware that the copy has already been through.

    The copy is kept per language and URL for what is left of the catalogue's CATALOGUE_CACHE_SECONDS, and only
    for callers with no session cookie, session token or Authorization header, so nothing personal is stored
    or served; a response that sets a cookie is never kept. The anonymous throttle still counts every request
    (over it, the request goes on to the API, which answers 429), and If-None-Match is answered with a 304.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        stored = cache.get(key)
        if stored is not None and _anonymous_allowed(request):
            return _replay(request, *stored)
        response = self.get_response(request)
        remaining = getattr(response, "catalogue_fresh_until", 0) - time.time()
        if response.status_code == 200 and remaining >= 1 and not response.cookies and response.has_header("ETag"):
            headers = [(name, value) for name, value in response.items() if name.lower() != "content-length"]
            cache.set(key, (response.content, headers), int(remaining))
        return response

    @staticmethod
    def _key(request) -> str | None:
        if (
            request.method != "GET"
            or not settings.CATALOGUE_CACHE_SECONDS
            or not CATALOGUE_PATH.match(request.path_info)
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "HTTP_X_SESSION_TOKEN" in request.META
            or "HTTP_AUTHORIZATION" in request.META
        ):
            return None
        language = translation.get_language_from_request(request)
        return "catalogue-page:" + hashlib.sha256(f"{language}|{request.get_full_path()}".encode()).hexdigest()


def _anonymous_allowed(request) -> bool:
    throttle = AnonRateThrottle()
    return throttle.rate is None or throttle.allow_key(throttle.anonymous_key(request))


def _replay(request, body: bytes, headers: list[tuple[str, str]]) -> HttpResponse:
    etag = next((value for name, value in headers if name.lower() == "etag"), "")
    if etag_matches(request, etag):
        response = HttpResponse(status=304)
        headers = [(name, value) for name, value in headers if name.lower() != "content-type"]
    else:
        response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    return response
