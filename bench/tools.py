"""Helpers `bench/run.py` calls inside each app's own Django settings (via `manage.py shell -c`)."""

import json


def _session_for(user) -> str:
    """Return the key of a new signed-in session: a browser cookie for the admin, an X-Session-Token for the API."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def portal_logins() -> str:
    """Return, as JSON, what the load needs: a resident's token, a caseworker's session, URLs and a valid body."""
    from services.accounts.models import User
    from services.applications.models import Application
    from services.catalogue.models import Service

    from .seed import BENCH_RESIDENT, BENCH_SERVICE, CASEWORKER, valid_answers

    resident = User.objects.get(email=BENCH_RESIDENT)
    caseworker = User.objects.get(email=CASEWORKER)
    service = Service.objects.get(slug=BENCH_SERVICE)
    application = Application.objects.filter(department__memberships__user=caseworker).order_by("-id").first()
    return json.dumps(
        {
            "token": _session_for(resident),
            "staff_session": _session_for(caseworker),
            "service_detail": f"/api/v1/services/{service.slug}/",
            "admin_page": f"/admin/applications/application/{application.pk}/change/",
            "create_body": json.dumps({"service": service.slug, "answers": valid_answers(service)}),
        }
    )


def portal_queue_backlog(count: int) -> None:
    """Submit ``count`` applications and publish their routing with no worker running."""
    from services.routing.tasks import route_application

    from .seed import submitted_backlog

    for application_id in submitted_backlog(count):
        route_application.delay(application_id)


def portal_routed_once() -> str:
    """Return 'yes' when no application has more or fewer than one routing event, else the counts."""
    from django.db.models import Count, Q

    from services.applications.models import Application, Status

    counts = (
        Application.objects.exclude(status=Status.DRAFT)
        .exclude(submitted_at=None)
        .filter(reference__startswith="BENCH")
        .annotate(routings=Count("events", filter=Q(events__to_status=Status.ROUTED)))
        .exclude(status=Status.SUBMITTED, routings=0)
        .exclude(routings=1)
        .count()
    )
    return "yes" if counts == 0 else f"**no**: {counts} applications routed 0 or 2+ times"


def baseline_queue_backlog(count: int) -> None:
    """Publish ``count`` one-update tasks with no worker running."""
    from bench.baseline.models import Item
    from bench.baseline.tasks import touch_item

    Item.objects.filter(name="backlog").delete()
    items = Item.objects.bulk_create([Item(name="backlog") for _ in range(count)])
    for item in items:
        touch_item.delay(item.pk)
