"""Headers on every response: nothing personal kept by a shared cache, the browser's powerful features switched off,
the site's Content Security Policy."""

from functools import cache, wraps

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
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


# What makes a response's policy its own (django-csp's decorators, a nonce used on the page): those are built by
# django-csp on each response, as before.
OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_exempt")
CSP_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware, sending the site's own policy (settings.CONTENT_SECURITY_POLICY and its report-only
    twin) built once per process instead of on every response (about 5 % of a signed-in API request). A response
    with a policy of its own, a nonce, an excluded prefix or DEBUG's error pages go django-csp's way."""

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) or hasattr(response, f"{name}_ro") for name in OWN_POLICY)
            or settings.DEBUG
            or _excluded_prefixes()
        ):
            return super().process_response(request, response)
        for header, policy in _site_policies():
            if header not in response:
                response[header] = policy
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)  # as django-csp does
        return response


@cache
def _site_policies() -> tuple[tuple[str, str], ...]:
    built = ((HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True)))
    return tuple((header, policy) for header, policy in built if policy)


@cache
def _excluded_prefixes() -> bool:
    policies = (getattr(settings, name, None) or {} for name in CSP_SETTINGS)
    return any(policy.get("EXCLUDE_URL_PREFIXES") for policy in policies)


@receiver(setting_changed)
def _csp_setting_changed(*, setting, **kwargs) -> None:
    """A test that overrides the policy gets it built afresh."""
    if setting in CSP_SETTINGS:
        _site_policies.cache_clear()
        _excluded_prefixes.cache_clear()
