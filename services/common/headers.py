"""Headers on every response: nothing personal kept by a shared cache, the browser's powerful features switched off."""

from functools import wraps

from django.utils.cache import patch_vary_headers

# Every response not stating its own Cache-Control: most pages are personal (signed in, or a form with this
# visitor's CSRF token), and a shared cache (a proxy, a CDN) must keep none of them.
DEFAULT_CACHE_CONTROL = "private, no-store"
# The API authenticates by these headers, not by a cookie: a cache that stores an answer keys it on them too.
API_AUTH_HEADERS = ("X-Session-Token", "Authorization")
# Features no page uses are refused to the page and to anything it frames; a view that needs one allows it with
# the ``permissions_policy`` decorator (the document upload lets the phone's camera take a photo).
FEATURES = ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment", "usb")


def permissions_policy(**allowed: str):
    """Let the decorated view's pages use these features, e.g. ``@permissions_policy(camera="self")``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.permissions_policy = allowed
            return response

        return wrapped

    return decorator


def _policy(allowed: dict[str, str]) -> str:
    return ", ".join(f"{feature}=({allowed.get(feature, '')})" for feature in FEATURES)


class PrivacyHeadersMiddleware:
    """Mark every response ``Cache-Control: private, no-store`` unless its view said otherwise, make the API's vary
    on its authentication headers, and send a Permissions-Policy denying every powerful feature not allowed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = DEFAULT_CACHE_CONTROL
        if request.path_info.startswith("/api/"):
            patch_vary_headers(response, API_AUTH_HEADERS)
        if not response.has_header("Permissions-Policy"):
            response["Permissions-Policy"] = _policy(getattr(response, "permissions_policy", {}))
        return response
