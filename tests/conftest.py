import os

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from celery._state import _set_task_join_will_block
from django.core.cache import cache
from django.test import RequestFactory

from services.common.kept import forget_kept

from .factories import DepartmentFactory, ServiceFactory, StaffFactory, UserFactory

IN_CI = os.environ.get("CI") == "true"


def unavailable(reason: str):
    """Fail under CI (a missing service is a broken run); skip with the reason elsewhere."""
    if IN_CI:
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


def staff_login(client, user):
    """Sign ``user`` in on ``client`` as the portal's login leaves staff: an authenticator app set up, and this
    session signed in with its code (what the admin requires unless STAFF_REQUIRE_MFA is off)."""
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    totp = totp or TOTP.activate(user, generate_totp_secret()).instance
    client.force_login(user)
    request = RequestFactory().get("/")
    request.session = client.session
    record_authentication(request, user, "mfa", type="totp", id=totp.pk)
    request.session.save()
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with no rate-limit counters or cached pages left by another test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _celery_join_allowed():
    """Start every test outside "a task". An eager ``apply_async`` sets Celery's process-wide "inside a task" flag
    while it runs and puts the old value back after; two threads doing so at once (a live server's and the
    test's) can leave it set, and every later ``EagerResult.get()`` in the process then raised "Never call
    result.get() within a task!" (seen in CI on 2026-12-06 in two unrelated tests)."""
    _set_task_join_will_block(False)


@pytest.fixture
def calendar_kept(settings):
    """The holiday calendar and routing rules kept in the process, as running workers keep them."""
    settings.ROUTING_CONFIG_CACHE_SECONDS = 300
    forget_kept()
    yield
    forget_kept()


@pytest.fixture
def en_client(client):
    """A browser that chose English (Django's language cookie)."""
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def health():
    return DepartmentFactory(code="health", reference_prefix="HLT")


@pytest.fixture
def education():
    return DepartmentFactory(code="education", reference_prefix="EDU")


@pytest.fixture
def service(health):
    return ServiceFactory(department=health)


@pytest.fixture
def resident():
    return UserFactory()


@pytest.fixture
def health_caseworker(health):
    return StaffFactory(department=health)


@pytest.fixture
def education_caseworker(education):
    return StaffFactory(department=education)


@pytest.fixture
def counted_world(settings, tmp_path):
    """The query-count tests' world (tests/query_counts.py), its documents and export zip in a storage of its own."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from .query_counts import build_world

    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    world = build_world()
    storages["documents"].save(world.export.stored_name, ContentFile(b"PK\x05\x06" + b"\0" * 18))
    return world


@pytest.fixture
def task_retries():
    """Run tasks in-process retrying in place, as the embedded mode does; return the countdown of each retry."""
    from celery.signals import task_retry

    from portal.celery import app

    countdowns = []

    def record(sender, reason, **kwargs):
        countdowns.append(reason.when)

    task_retry.connect(record, weak=False)
    propagates, app.conf.task_eager_propagates = app.conf.task_eager_propagates, False
    yield countdowns
    app.conf.task_eager_propagates = propagates
    task_retry.disconnect(record)
