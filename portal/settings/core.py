"""Django's core: apps, middleware, templates, database, cache and sessions, languages, static files, logging."""

from .env import BASE_DIR, DEBUG, env
from .redis import REDIS_SENTINELS, sentinel_cache

# The one list of apps: a new app under services/ is one line here.
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
    "services.events",
    "services.accounts",
    "services.audit",
    "services.notifications",
    "services.identity",
    "services.dynamic_forms",
    "services.catalogue",
    "services.documents",
    "services.credentials",
    "services.mandates",
    "services.applications",
    "services.routing",
    "services.ratings",
    "services.integrations",
    "services.payments",
    "services.appointments",
    "services.circumstances",
    "services.proactive",
    "services.caseworker",
    "services.statistics",
]

MIDDLEWARE = [
    # A request id for the logs, followed into the tasks; the latency of every request, cached answers included.
    "services.common.request_id.RequestIdMiddleware",
    "portal.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control private, no-store unless a view says otherwise; Permissions-Policy (services/common/headers.py).
    "services.common.headers.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous catalogue reads answered from a cached copy before the session, auth and CSP work below.
    "services.api.middleware.CataloguePageCache",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # A NUL in the address is a 400; allauth's app API: a 413 for a body too big, a 400 for JSON nested too deep.
    "services.api.middleware.BadInputMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "services.accounts.middleware.PreferredLanguageMiddleware",
    # Flash messages and allauth's tracking of a browser session are the web's only: API v1 passes them by.
    "portal.middleware.WebOnlyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.WebOnlyUserSessionsMiddleware",
    "services.api.middleware.AuthRateLimitMiddleware",
    # django-csp's, the site's policy built once per process (services/common/headers.py).
    "services.common.headers.CSPMiddleware",
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
# Behind PgBouncer in transaction mode, a server-side cursor (QuerySet.iterator()) would outlive its connection.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_TRANSACTION_POOLING", default=False)
# A streaming replica for reads that tolerate lag (the catalogue, the public statistics: services/common/replica.py).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {**DATABASES["default"], **env.db("DATABASE_REPLICA_URL"), "TEST": {"MIRROR": "default"}}
# PostgreSQL through Django's own backend, but checking a kept connection without a SELECT 1 (portal/db/postgresql/).
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["ENGINE"] = "portal.db.postgresql"
DATABASE_ROUTERS = ["services.common.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# A cache that is down is a cache that misses: reads return nothing, writes are dropped and logged (django-redis's
# IGNORE_EXCEPTIONS), so sessions are read from the database and a throttle that cannot count lets the request
# through; the short timeouts keep a hanging Redis from holding every request.
REDIS_CACHE_OPTIONS = {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # django-redis: one Redis client per pool (Django's own builds one per call, as costly as the round trip),
    # and the raw client the API throttle counts with (services/api/throttling.py).
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    CACHES["default"]["OPTIONS"] = {**CACHES["default"].get("OPTIONS", {}), **REDIS_CACHE_OPTIONS}
    if REDIS_SENTINELS:
        CACHES["default"] = sentinel_cache(CACHES["default"])
# Sessions (web cookies and the app's X-Session-Token alike) are read from the cache and written through to
# the database: no session query per request once the cache (Redis in full mode) holds it, and the database
# still answers while the cache is down.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

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
# The residents' documents have a storage of their own: settings/documents.py adds it to this dict.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "portal.staticfiles.StaticFilesStorage"  # WhiteNoise's, each address worked out once per process
    },
}

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
