"""Settings for every mode, read from the environment (twelve-factor).

Embedded mode (``DJANGO_DEBUG=true``, no ``DATABASE_URL`` or ``CELERY_BROKER_URL``):
SQLite file, Celery tasks run in-process after commit, email to the console.
Full mode: PostgreSQL via ``DATABASE_URL``, Redis via ``CELERY_BROKER_URL``.
Outside DEBUG, the secret key and allowed hosts must come from the environment.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="embedded-mode-insecure-key" if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "services.caseworker.apps.PortalAdminConfig",  # django.contrib.admin with the staff two-factor check
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.headless",
    "allauth.usersessions",
    "csp",
    # The domain apps bottom-up, in the layers of docs/architecture.md (a test keeps the two in step).
    "services.calendar",
    "services.api",
    "services.accounts",
    "services.audit",
    "services.notifications",
    "services.dynamic_forms",
    "services.catalogue",
    "services.documents",
    "services.applications",
    "services.routing",
    "services.ratings",
    "services.caseworker",
    "services.statistics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous catalogue reads answered from a cached copy before the session, auth and CSP work below.
    "services.api.middleware.CataloguePageCache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "services.accounts.middleware.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "services.api.middleware.AuthRateLimitMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "services.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Data -------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"]["BACKEND"] = "services.common.cache.RedisCache"  # one Redis client per pool, not per call
# Sessions (web cookies and the app's X-Session-Token alike) are read from the cache and written through to
# the database: no session query per request once the cache (Redis in full mode) holds it.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long the API's catalogue responses are served from the cache (catalogue edits show within this time).
CATALOGUE_CACHE_SECONDS = env.int("CATALOGUE_CACHE_SECONDS", default=60)
# How long the public statistics page's figures are reused before they are counted again.
STATISTICS_CACHE_SECONDS = env.int("STATISTICS_CACHE_SECONDS", default=300)

# --- Accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "applications:mine"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# Failed logins are throttled per address and per account (allauth's rate limits, in the cache).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
HEADLESS_ONLY = False
HEADLESS_CLIENTS = ("app",)
HEADLESS_SERVE_SPECIFICATION = True
# App session tokens (X-Session-Token) end after this long unused, and in any case this long after the login;
# every login hands out a new token (the session key is cycled).
HEADLESS_TOKEN_STRATEGY = "services.api.tokens.ExpiringSessionTokenStrategy"  # noqa: S105 (a class path)
API_TOKEN_IDLE_SECONDS = env.int("API_TOKEN_IDLE_SECONDS", default=60 * 60 * 24 * 14)
API_TOKEN_MAX_AGE_SECONDS = env.int("API_TOKEN_MAX_AGE_SECONDS", default=60 * 60 * 24 * 90)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Staff open the admin only with an activated authenticator app (TOTP), signed in with it in this session.
# Only the embedded demo (DEBUG) may switch this off, so that its published demo logins work.
STAFF_REQUIRE_MFA = env.bool("STAFF_REQUIRE_MFA", default=True)
if not STAFF_REQUIRE_MFA and not DEBUG:
    raise ImproperlyConfigured("STAFF_REQUIRE_MFA=false is allowed only with DJANGO_DEBUG=true (the embedded demo).")

# --- Internationalisation ----------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files --------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")  # collectstatic fills it
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
    # Residents' documents: private, never under MEDIA_URL or any public URL; only the permission-checked
    # download view serves them. S3-compatible object storage: DOCUMENTS_STORAGE_BACKEND and its OPTIONS as JSON.
    "documents": {
        "BACKEND": env("DOCUMENTS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env.json("DOCUMENTS_STORAGE_OPTIONS", default={"location": str(BASE_DIR / "private" / "documents")}),
    },
}

# --- Email -------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
vars().update(EMAIL_CONFIG)
# Where residents reach the portal, for links in emails sent by background tasks (no request to ask).
PORTAL_URL = env("PORTAL_URL", default="http://127.0.0.1:8000")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="一网通办 Citizen Portal <no-reply@portal.example>")

# --- Security ----------------------------------------------------------------
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
    SECURE_SSL_REDIRECT = True
    # Load balancers probe over plain HTTP: a redirect would count as healthy whatever the checks say.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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

# --- API ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "services.api.authentication.SessionTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
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
# Idempotency-Key records are kept this long (the IETF draft's suggestion: 24 hours), then purged by beat.
IDEMPOTENCY_KEY_TTL_SECONDS = 24 * 60 * 60
# A retry arriving while the first request with its key still runs waits this long for the first answer (then
# replays it, so parallel retries all get the same response) before giving up with a 409.
IDEMPOTENCY_WAIT_SECONDS = env.float("IDEMPOTENCY_WAIT_SECONDS", default=3.0)
# A key still "running" after this long belongs to a request that died (gunicorn kills a worker after 30 s): a
# retry then runs instead of being told 409 until the key expires.
IDEMPOTENCY_STALE_SECONDS = env.int("IDEMPOTENCY_STALE_SECONDS", default=120)
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
  `API_TOKEN_IDLE_SECONDS` unused (14 days) and `API_TOKEN_MAX_AGE_SECONDS` after the login (90 days): then every
  call answers 401 with `WWW-Authenticate: X-Session-Token` and the app logs in again;
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
    "ENUM_NAME_OVERRIDES": {"ApplicationStatus": "services.applications.models.Status"},
}

# --- Documents and notifications ---------------------------------------------
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
# Malware scanning: "clamd" (required outside DEBUG) or empty to switch it off (the embedded mode's default,
# where documents are usable at once). With a scanner, a document stays pending until it answers "clean".
DOCUMENT_SCANNER = env("DOCUMENT_SCANNER", default="" if DEBUG else "clamd")
CLAMD_URL = env("CLAMD_URL", default="unix:///run/clamav/clamd.ctl")  # or tcp://127.0.0.1:3310
DOCUMENT_SCAN_SWEEP_AFTER_SECONDS = env.int("DOCUMENT_SCAN_SWEEP_AFTER_SECONDS", default=600)
# Behind nginx, let it send the file: the view checks access, then answers with X-Accel-Redirect to this
# internal location (which maps onto the documents' storage location). Empty: Django streams the file.
DOCUMENTS_X_ACCEL_REDIRECT = env("DOCUMENTS_X_ACCEL_REDIRECT", default="")
# SMS: "console" prints (development), "http" posts JSON to SMS_GATEWAY_URL with SMS_GATEWAY_TOKEN.
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env("SMS_GATEWAY_TOKEN", default="")
# Push to the phones residents registered (/api/v1/devices/): "console" prints (development), "http" posts JSON
# to PUSH_GATEWAY_URL (a gateway that speaks APNs and FCM) with PUSH_GATEWAY_TOKEN, waiting at most
# PUSH_GATEWAY_TIMEOUT_SECONDS. PUSH_ENABLED=false sends no push at all (the inbox has every message anyway).
PUSH_ENABLED = env.bool("PUSH_ENABLED", default=True)
PUSH_BACKEND = env("PUSH_BACKEND", default="console")
PUSH_GATEWAY_URL = env("PUSH_GATEWAY_URL", default="")
PUSH_GATEWAY_TOKEN = env("PUSH_GATEWAY_TOKEN", default="")
PUSH_GATEWAY_TIMEOUT_SECONDS = env.float("PUSH_GATEWAY_TIMEOUT_SECONDS", default=5.0)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=6)
NOTIFICATION_SWEEP_AFTER_SECONDS = env.int("NOTIFICATION_SWEEP_AFTER_SECONDS", default=900)

# --- Celery ------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Embedded mode: no broker configured, so tasks run in-process (still only after commit).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# In-process, a failing task must not turn the resident's already-committed submission into an error page.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# Publishing fails fast when the broker is down (one quick retry for a stale connection, short timeouts):
# a resident's request never waits on it, and the sweep publishes again what could not be published.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# After a failed publish, skip publishing for this long (each app's sweep publishes later what was skipped).
BROKER_DOWN_PAUSE_SECONDS = env.float("BROKER_DOWN_PAUSE_SECONDS", default=5.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # An unacknowledged message (its worker died with it) is delivered again after this; the sweep is faster.
    "visibility_timeout": 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    # CELERY_KEY_PREFIX lets several deployments (or concurrent test runs) share one Redis without sharing queues.
    "global_keyprefix": env("CELERY_KEY_PREFIX", default=""),
}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "services.routing.tasks.route_application": {"queue": "routing"},
    "services.documents.tasks.*": {"queue": "documents"},
    "services.notifications.tasks.*": {"queue": "notifications"},
}
# Department intake queues are named dept.<code>; a worker for them is started with -Q dept.health etc.
CELERY_TASK_QUEUES = [Queue("default"), Queue("routing"), Queue("documents"), Queue("notifications")]
CELERY_TASK_CREATE_MISSING_QUEUES = True
# Keep the worker's database connection across tasks (Celery's Django fixup closes it after every task otherwise).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=200)
# Days a resident's data export stays downloadable; beat deletes it after that.
DATA_EXPORT_DAYS = env.int("DATA_EXPORT_DAYS", default=7)
CELERY_BEAT_SCHEDULE = {
    # Delete residents' data exports past their expiry, with their zips.
    "purge-expired-exports": {"task": "services.accounts.tasks.purge_expired_exports", "schedule": 3600},
    # Publish again routing (and intake) whose message was lost: the application row is the outbox.
    "routing-sweep": {
        "task": "services.routing.tasks.sweep_routing",
        "schedule": env.float("ROUTING_SWEEP_EVERY_SECONDS", default=60.0),
    },
    # Mark applications past their legal due date, raise their priority and tell the supervisors.
    "mark-overdue": {"task": "services.routing.tasks.mark_overdue", "schedule": 15 * 60.0},
    # Remind residents of drafts about to expire, and delete expired drafts (DRAFT_RETENTION_DAYS).
    "draft-purge": {"task": "services.applications.tasks.purge_stale_drafts", "schedule": 60 * 60.0},
    # Publish again the virus check of documents still pending (a lost message, or clamd down for a while).
    "documents-scan-sweep": {"task": "services.documents.tasks.sweep_unscanned", "schedule": 5 * 60.0},
    # Publish again deliveries of notifications still unsent (a lost message, or a worker lost mid-send).
    "notifications-sweep": {"task": "services.notifications.tasks.sweep_undelivered", "schedule": 5 * 60.0},
    # Delete API Idempotency-Key records past their 24-hour lifetime.
    "idempotency-keys-purge": {"task": "services.api.tasks.purge_idempotency_keys", "schedule": 60 * 60.0},
}
ROUTING_SWEEP_AFTER_SECONDS = env.int("ROUTING_SWEEP_AFTER_SECONDS", default=120)
# Routing workers read the rules and the holiday calendar at most this often (an edit made elsewhere reaches a
# running worker within this time; the admin's dry run always reads the rules afresh).
ROUTING_CONFIG_CACHE_SECONDS = env.int("ROUTING_CONFIG_CACHE_SECONDS", default=60)
# Overdue applications marked (and listed in one message to supervisors) per transaction by beat's mark_overdue.
ROUTING_OVERDUE_BATCH = env.int("ROUTING_OVERDUE_BATCH", default=500)
# Unsubmitted drafts untouched this many days are deleted, after a reminder this many days before.
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=30)
DRAFT_REMINDER_DAYS_BEFORE = env.int("DRAFT_REMINDER_DAYS_BEFORE", default=7)
# Routing and intake tasks: bounded retries with exponential backoff (2, 4, 8, 16, 32 s, with jitter), then
# the application is flagged (routing failed / checks failed) for people to handle.
ROUTING_TASK_RETRY = {"max_retries": 5, "retry_backoff": 2, "retry_backoff_max": 60}

# --- Logging -----------------------------------------------------------------
# One JSON object per line (with the application reference and the Celery task id when there is one), for
# the log collector; LOG_FORMAT=plain for people reading a terminal (the default in the embedded mode).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "services.common.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}
