"""429 with Retry-After from allauth's app API too, so the app backs off the same way everywhere."""

import json

from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings

AUTH_PREFIX = "/api/auth/"
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
