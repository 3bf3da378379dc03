"""Security: the secret key and hosts (required outside DEBUG), HTTPS, cookies, the CSP, two factors for staff."""

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import DEBUG, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="embedded-mode-insecure-key" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Served over HTTPS (the default outside DEBUG): redirect plain HTTP, secure cookies, HSTS.
# DJANGO_HTTPS=false only for the full mode on one's own machine over plain http://127.0.0.1.
if env.bool("DJANGO_HTTPS", default=not DEBUG):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True  # the language switch's cookie, and the elder mode's (which follows it)
    SECURE_SSL_REDIRECT = True
    # Load balancers and Kubernetes probe, and Prometheus scrapes, over plain HTTP inside the cluster: a redirect
    # would count as healthy whatever the checks say.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^livez$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# How many proxies in front of the portal append the client's address to X-Forwarded-For: the one notion of the
# client's address (services/common/http.py) for throttles, allauth's rate limits, the catalogue cache, the audit
# log. 0: no proxy, the header is ignored (a client could write any address there).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Content Security Policy: nothing is loaded from another origin, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# The code shown until a moment ago is still taken (one 30-second step back and forward, as RFC 6238 §5.2
# recommends for the time it takes to type it), and each code only once: allauth keeps a used code for the whole
# window, so it cannot be replayed.
MFA_TOTP_TOLERANCE = 1
# Staff open the admin only with an activated authenticator app (TOTP), signed in with it in this session.
# Only the embedded demo (DEBUG) may switch this off, so that its published demo logins work.
STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=True)
# Staff set up their authenticator app only through a one-time link an administrator or their supervisor issues
# (the admin's "Issue an enrolment link", or manage.py staff_enrolment_link); the link is valid this long.
STAFF_ENROLMENT_HOURS = 72
if not STAFF_REQUIRE_MFA and not DEBUG:
    raise ImproperlyConfigured("STAFF_REQUIRE_MFA=false is allowed only with DJANGO_DEBUG=true (the embedded demo).")
