"""The API: DRF, throttles, idempotency keys, the app's session tokens, request limits, the OpenAPI schema."""

from .env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "services.api.authentication.SessionTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["services.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["services.api.parsers.SafeJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "services.api.pagination.NewestFirstCursorPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "services.api.errors.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "services.api.throttling.AnonRateThrottle",
        "services.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/min"),
        "user": env("API_THROTTLE_USER", default="600/min"),
    },
}
# How long the API's catalogue responses are served from the cache (catalogue edits show within this time).
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=60)
# A credential's status (with its type, issuer and validity: never the holder's claims) is kept in the cache this long
# for the public verification; a revocation drops it at once, so this bounds only a copy a cache outage or a
# verification racing the revocation left behind. Keep it under 60: revocation must show within a minute. 0: none.
CREDENTIAL_STATUS_CACHE_SECONDS = env.int("CREDENTIAL_STATUS_CACHE_SECONDS", default=30)
# App session tokens (X-Session-Token) end after this long unused, and in any case this long after the login;
# every login hands out a new token (the session key is cycled).
HEADLESS_TOKEN_STRATEGY = "services.api.tokens.ExpiringSessionTokenStrategy"  # noqa: S105  # nosec B105  # a class path
API_TOKEN_IDLE_SECONDS = env.int("API_TOKEN_IDLE_SECONDS", default=60 * 60 * 24 * 14)
API_TOKEN_MAX_AGE_SECONDS = env.int("API_TOKEN_MAX_AGE_SECONDS", default=60 * 60 * 24 * 90)
# An API request finds its signed-in user in the cache, kept this long after it was read (0: a query every request);
# any change to the user drops the copy at once, so this only bounds one that a cache outage kept from being dropped.
API_USER_CACHE_SECONDS = env.int("API_USER_CACHE_SECONDS", default=300)
# Idempotency-Key records are kept this long (the IETF draft's suggestion: 24 hours, well past any client's retries),
# then purged by beat.
IDEMPOTENCY_KEY_TTL_SECONDS = env.int("IDEMPOTENCY_KEY_TTL_SECONDS", default=24 * 60 * 60)
# A retry arriving while the first request with its key still runs waits this long for the first answer (then
# replays it, so parallel retries all get the same response) before giving up with a 409. A request that died
# leaves no key (the key is written in the request's own transaction), so its retry runs at once.
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", default=3.0)
# The largest request body (JSON, or a multipart form's fields without its files) read: larger is a 413 in the API.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
SPECTACULAR_SETTINGS = {
    "TITLE": "Citizen Public-Services Portal API",
    "DESCRIPTION": """The resident API used by the mobile app (web and app share one account system).

**Accounts** are django-allauth's headless *app* API, specified at `/api/auth/openapi.yaml` (browsable at
`/api/auth/openapi.html`); every call below is under `/api/auth/app/v1`:

- sign up: `POST /auth/signup` (email, password); answered 401 with the pending flow `verify_email` and a
  `meta.session_token`; the emailed key is posted to `POST /auth/email/verify` with that token, which logs in;
- log in: `POST /auth/login` (email, password) gives `meta.session_token`; with an authenticator app the answer is
  401 with the pending flow `mfa_authenticate`, completed by `POST /auth/2fa/authenticate` (code);
- send the token as `X-Session-Token` here; every login gives a new token; a token ends after
  `API_TOKEN_IDLE_SECONDS` unused (14 days) and `API_TOKEN_MAX_AGE_SECONDS` after it was handed out (90 days): then
  every call answers 401 with `WWW-Authenticate: X-Session-Token` and the app logs in again;
- log out: `DELETE /auth/session`; sessions: `GET /auth/sessions`, end some with `DELETE /auth/sessions`;
- password reset: `POST /auth/password/request` (email), then `POST /auth/password/reset` (key, password).

Logins, sign-ups and reset requests are rate-limited per address and per account: 429 with `Retry-After`.

**Errors**: every 4xx/5xx of this API is an RFC 9457 problem-details body (`application/problem+json`) with a
stable `code` and `errors` listing each field; messages follow `Accept-Language` (zh-hans, en).

**Safe retries**: unsafe POSTs take an `Idempotency-Key` header (same key and body: the first response replayed,
`Idempotent-Replayed: true`; another body: 422; still running: 409; per account, 24 hours).

**Limits**: requests are throttled per account and per address (429, `Retry-After`); pages hold at most 100;
JSON bodies over 2.5 MB are a 413; the catalogue answers `If-None-Match` with 304.""",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatus": "services.applications.models.Status",
        "CredentialVerdict": "services.credentials.selectors.Verdict",
    },
}
