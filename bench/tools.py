"""Helpers `bench/run.py` calls inside each app's own Django settings (via `manage.py shell -c`)."""

import json

BENCH_SERVICE = "family-doctor-registration"  # open to every district; a short form without uploads


def _session_for(user, *, with_totp: bool = False) -> str:
    """Return the key of a new signed-in session: a browser cookie for the admin, an X-Session-Token for the API.

    ``with_totp`` gives the user an authenticator app and records that this session signed in with it, as
    allauth does after a TOTP code, so the admin's two-factor requirement holds as in production.
    """
    import time

    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore  # settings.SESSION_ENGINE

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if with_totp:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
        session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "type": "totp", "at": time.time()}]
    session.create()
    return session.session_key


def portal_logins() -> str:
    """Return, as JSON, what the load needs: a resident's token, a caseworker's session, URLs and a valid body."""
    from services.accounts.models import User
    from services.applications.management.commands.seed_scale import BENCH_RESIDENT, CASEWORKER
    from services.applications.models import Application
    from services.catalogue.models import Service
    from services.dynamic_forms.validation import validate_answers

    resident = User.objects.select_related("profile").get(email=BENCH_RESIDENT)
    caseworker = User.objects.get(email=CASEWORKER)
    service = Service.objects.get(slug=BENCH_SERVICE)
    profile = resident.profile
    answers = {
        "applicant_name": profile.legal_name,
        "applicant_id_number": profile.id_number,
        "applicant_phone": profile.phone,
        "home_address": {"district": profile.district, "street": "世纪大道100号"},
        "chronic_condition": False,
        "home_visits": False,
        "health_centre": "陆家嘴社区卫生服务中心",
    }
    errors = validate_answers(schema=service.form_schema, answers=answers)
    assert not errors, f"the benchmark's answers no longer fit {service.slug}: {errors}"
    application = Application.objects.filter(department__memberships__user=caseworker).order_by("-id").first()
    return json.dumps(
        {
            "token": _session_for(resident),
            "staff_session": _session_for(caseworker, with_totp=True),
            "service_detail": f"/api/v1/services/{service.slug}/",
            "admin_page": f"/admin/applications/application/{application.pk}/change/",
            "create_body": json.dumps({"service": service.slug, "answers": answers}),
            "credential_token": portal_credential_token(),
        }
    )


def portal_queue_backlog(count: int) -> None:
    """Submit ``count`` applications and publish their routing (as the submissions do) with no worker running."""
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat
    from django.utils import timezone

    from services.applications.models import Application, ApplicationEvent, Status
    from services.applications.workflow import routing_publish_on_commit

    # Recent drafts become a submitted backlog, their routing published to a queue no worker reads yet.
    drafts = Application.objects.filter(status=Status.DRAFT).order_by("-id")
    ids = list(drafts.values_list("pk", flat=True)[:count])
    if len(ids) < count:  # the seed keeps about 1.5% drafts: copy some for the rest (each run uses them up)
        models = list(drafts[:200]) or list(Application.objects.order_by("-id")[:200])
        copies = Application.objects.bulk_create(
            [
                Application(
                    applicant_id=model.applicant_id,
                    service_id=model.service_id,
                    form_version_id=model.form_version_id,
                    answers=model.answers,
                    channel=model.channel,
                    status=Status.DRAFT,
                )
                for model in (models[i % len(models)] for i in range(count - len(ids)))
            ],
            batch_size=2000,
        )
        made = [copy.pk for copy in copies]
        Application.objects.filter(pk__in=made).update(reference=Concat(Value("BL-"), Cast("id", CharField())))
        ids += made
    Application.objects.filter(pk__in=ids).update(status=Status.SUBMITTED, submitted_at=timezone.now())
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application_id=i, from_status=Status.DRAFT, to_status=Status.SUBMITTED) for i in ids
    )
    for application in Application.objects.filter(pk__in=ids).only("reference"):  # as each submission does
        routing_publish_on_commit(application=application)


def portal_routed_once() -> str:
    """Return 'yes' when every application past 'submitted' has exactly one routing event and none still
    'submitted' has any; otherwise say how many break the rule."""
    from django.db.models import Count, Q

    from services.applications.models import Application, Status

    routings = Count("events", filter=Q(events__to_status=Status.ROUTED))
    broken = (
        Application.objects.exclude(status=Status.DRAFT)
        .annotate(routings=routings)
        .filter(~Q(routings=1) & ~Q(status=Status.SUBMITTED) | Q(status=Status.SUBMITTED) & ~Q(routings=0))
        .count()
    )
    return "yes" if broken == 0 else f"**no**: {broken} applications routed 0 or 2+ times"


def baseline_queue_backlog(count: int) -> None:
    """Publish ``count`` one-update tasks with no worker running."""
    from bench.baseline.models import Item
    from bench.baseline.tasks import touch_item

    Item.objects.filter(name="backlog").delete()
    items = Item.objects.bulk_create([Item(name="backlog") for _ in range(count)])
    for item in items:
        touch_item.delay(item.pk)


def portal_credential_token() -> str:
    """Return the signed token of a credential issued on an approved application of the bench service."""
    from services.applications.models import Application, Status
    from services.catalogue.models import Service
    from services.credentials.actions import credential_issue
    from services.credentials.models import CredentialType

    service = Service.objects.get(slug=BENCH_SERVICE)
    CredentialType.objects.get_or_create(
        code="bench-family-doctor",
        defaults={"name_zh": "家庭医生签约凭证", "name_en": "Family doctor registration",
                  "department": service.department, "service": service, "valid_days": 365},
    )  # fmt: skip
    application = Application.objects.filter(service=service, status=Status.APPROVED).order_by("-id").first()
    return credential_issue(application=application).token


def portal_queue_events(count: int, url: str) -> None:
    """Subscribe a local receiver and write ``count`` application events (each its own application, so none
    waits for another), their deliveries published with no worker running."""
    import uuid

    from django.db import transaction

    from services.events.actions import event_record
    from services.events.models import TYPE_PREFIX, Subscription

    Subscription.objects.filter(name="bench").delete()
    Subscription.objects.create(name="bench", url=url)
    for _ in range(count):
        with transaction.atomic():
            event_record(type=f"{TYPE_PREFIX}application.submitted", source="/applications", subject=str(uuid.uuid4()),
                         data=BENCH_EVENT_DATA)  # fmt: skip


def portal_forget_events() -> None:
    """Delete the bench's subscription, so that later loads write no deliveries for it."""
    from services.events.models import Subscription

    Subscription.objects.filter(name="bench").delete()


# The data of the bench's events (and the baseline's posts): the size of an application's event.
BENCH_EVENT_DATA = {
    "application": "0b5f1f9e-8d1c-4c62-9d1e-3f0f6f1b2a77", "reference": "HLT-2026-000123",
    "service": BENCH_SERVICE, "department": "health", "status": "submitted", "previous_status": "draft",
    "due_date": None,
}  # fmt: skip


def baseline_queue_posts(count: int, url: str) -> None:
    """Publish ``count`` bare tasks that each post a CloudEvent of the same size, with no worker running."""
    from bench.baseline.tasks import post_body

    body = json.dumps({"specversion": "1.0", "id": "x" * 36, "source": "/applications", "type": "submitted",
                       "time": "2026-12-06T10:00:00+08:00", "data": BENCH_EVENT_DATA})  # fmt: skip
    for _ in range(count):
        post_body.delay(url, body)


def portal_city_view() -> str:
    """Rebuild the city view's summary as beat would, and return, as JSON, how long that took and the session of a
    city supervisor (signed in with two factors) for the load on the page."""
    import time

    from services.accounts.models import User
    from services.statistics.actions import city_figures_refresh, city_supervisor_grant

    started = time.perf_counter()
    rows = city_figures_refresh()
    refresh_s = time.perf_counter() - started
    user, _created = User.objects.get_or_create(email="city.supervisor@bench.portal", defaults={"is_staff": True})
    city_supervisor_grant(user=user)
    return json.dumps({"refresh_s": refresh_s, "rows": rows, "session": _session_for(user, with_totp=True)})


def portal_city_view_timing(requests: int = 30) -> str:
    """Render the city view ``requests`` times in this process through Django's test client (no server, no cache:
    what one request costs the web worker) as a signed-in city supervisor; return the times in ms as JSON."""
    import statistics
    import time

    from django.test import Client, override_settings

    from services.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(email="city.supervisor@bench.portal"))
    times = []
    with override_settings(STAFF_REQUIRE_MFA=False):  # the session's second factor is not what is measured
        for _ in range(requests + 1):
            started = time.perf_counter()
            assert client.get("/statistics/city/").status_code == 200
            times.append(1000 * (time.perf_counter() - started))
    times = sorted(times[1:])  # the first warms the process
    return json.dumps({"median_ms": statistics.median(times), "max_ms": times[-1], "requests": requests})
