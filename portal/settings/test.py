"""Test settings: only overrides of the production settings (base.py and the modules it gathers).

Without DATABASE_URL the suite runs on SQLite with Celery eager; with CI=true the
Makefile points DATABASE_URL at PostgreSQL and CELERY_BROKER_URL at Redis.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_HTTPS", "false")
os.environ.setdefault("SMS_BACKEND", "http")  # required by the production settings; overridden below
# Each run gets its own test database and broker keys (inherited by the workers it starts), so two runs
# on one machine never share a database or steal each other's tasks.
TEST_RUN = os.environ.setdefault("PORTAL_TEST_RUN", str(os.getpid()))
os.environ.setdefault("CELERY_KEY_PREFIX", f"test-{TEST_RUN}:")

from .base import *  # noqa: E402,F403

DATABASES["default"]["TEST"] = {"NAME": f"test_portal_{TEST_RUN}"}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CATALOGUE_CACHE_SECONDS = 0  # tests change the catalogue and look at it again at once
ROUTING_CONFIG_CACHE_SECONDS = 0  # a test's rules and calendar days are rolled back unseen by any signal
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"  # noqa: F405
STORAGES["documents"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": BASE_DIR / "test-artifacts" / f"documents-{TEST_RUN}"},  # noqa: F405
}
SMS_BACKEND = "console"  # the SMS tests point it at a local gateway (tests/notifications/conftest.py)
DOCUMENT_SCANNER = ""  # the scanning tests point CLAMD_URL at a clamd of their own
# Tasks run in-process in the test process; integration tests switch this off around a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A test that simulates a broker outage must not stop the next test from publishing.
BROKER_DOWN_PAUSE_SECONDS = 0
