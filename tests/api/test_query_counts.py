"""Every /api/v1/ endpoint and method costs the same number of queries with 1 row of everything it lists as with 50.

The endpoints and their methods are read from the URL configuration: a new one without a case here fails
test_every_endpoint_and_method_has_a_case."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bench.tools import _session_for
from services.accounts.models import Device
from services.appointments.models import Seat
from services.catalogue.selectors import service_form_get_active
from services.credentials.actions import credential_token
from tests.documents.files import pdf
from tests.factories import VALID_ANSWERS
from tests.query_counts import MANY, World, count_queries, grow

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Call:
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] | None = None
    status: int = 200
    multipart: bool = False
    prepare: Callable[[World], object] = lambda w: None  # before the queries are counted


def _fresh(name: str) -> Callable[[World], dict]:
    return lambda w: {"public_id": w.fresh[name].public_id}


def _device(w: World) -> Device:
    return Device.objects.create(user=w.resident, platform="android", token=f"fcm-{w.fresh['open'].pk}")


DECIDED = lambda w: {"public_id": w.decided.public_id}  # noqa: E731
A_DAY_AGO = lambda: timezone.now() - dt.timedelta(days=1, minutes=1)  # noqa: E731


def _free_time(w: World) -> str:
    now = timezone.now()
    seats = Seat.objects.filter(location=w.location, appointment__isnull=True, starts_at__gt=now + timedelta(hours=1))
    return seats.order_by("starts_at").first().starts_at.isoformat()


CALLS = {  # (url name, method) → the call
    ("services", "get"): Call(),
    ("service", "get"): Call(lambda w: {"slug": w.service.slug}),
    ("service-eligibility", "post"): Call(lambda w: {"slug": w.service.slug}, lambda w: {"answers": {}}),
    ("applications", "get"): Call(),
    ("applications", "post"): Call(data=lambda w: {"service": w.service.slug, "answers": VALID_ANSWERS}, status=201),
    ("application", "get"): Call(DECIDED),
    ("application", "patch"): Call(_fresh("draft"), lambda w: {"answers": {"children": 2}}),
    ("application-submit", "post"): Call(_fresh("draft")),
    ("application-withdraw", "post"): Call(_fresh("open")),
    ("profile", "get"): Call(),
    ("mandates", "get"): Call(),
    ("changes", "get"): Call(),
    ("changes", "post"): Call(
        data=lambda w: {"kind": "job", "effective_date": "2026-01-05", "employer": f"公司{w.fresh['open'].pk}"},
        status=201,
    ),
    ("change", "get"): Call(_fresh("change")),
    ("profile", "patch"): Call(data=lambda w: {"street_address": "世纪大道1号"}),
    ("devices", "post"): Call(data=lambda w: {"platform": "ios", "token": f"apns-{w.fresh['open'].pk}"}, status=201),
    ("device", "delete"): Call(lambda w: {"public_id": _device(w).public_id}, status=204),
    ("document-types", "get"): Call(),
    ("documents", "get"): Call(),
    ("documents", "post"): Call(
        data=lambda w: {
            "file": SimpleUploadedFile(f"scan-{w.fresh['open'].pk}.pdf", pdf(pages=w.fresh["open"].pk % 5 + 1)),
            "document_type": w.document.document_type.code,
        },
        status=201,
        multipart=True,
    ),
    ("document-file", "get"): Call(lambda w: {"public_id": w.document.public_id}),
    ("application-documents", "get"): Call(DECIDED),
    ("application-documents", "post"): Call(_fresh("open"), lambda w: {"document": w.document.public_id}, 201),
    ("notifications", "get"): Call(),
    ("unread-count", "get"): Call(),
    ("notifications-read-all", "post"): Call(),
    ("notification-read", "post"): Call(_fresh("notification")),
    # Each measurement starts an export (the one being prepared would be returned instead, and the day's allowance
    # is spent by the world's exports unless they are a day old).
    ("me-exports", "post"): Call(
        status=202, prepare=lambda w: w.resident.data_exports.update(status="ready", created_at=A_DAY_AGO())
    ),
    ("me-export", "get"): Call(lambda w: {"public_id": w.export.public_id}),
    ("me-export-download", "get"): Call(lambda w: {"public_id": w.export.public_id}),
    ("application-ratings", "get"): Call(DECIDED),
    ("application-ratings", "post"): Call(
        _fresh("decided"), lambda w: {"speed": 5, "clarity": 4, "attitude": 5}, status=201
    ),
    ("information-requests", "get"): Call(DECIDED),
    ("information-request-answer", "post"): Call(
        lambda w: {"public_id": w.fresh["awaiting"].public_id, "request_id": w.fresh["request"].public_id},
        lambda w: {"answer": "已补充", "documents": [str(w.document.public_id)]},
    ),
    ("application-access-log", "get"): Call(DECIDED),
    ("application-decision-letter", "get"): Call(DECIDED),
    ("credential-verify", "get"): Call(
        data=lambda w: {"token": credential_token(credential=w.fresh["credential"], claims={})}
    ),
    ("application-payments", "post"): Call(_fresh("open"), status=409),  # no fee due: refused before the provider
    ("payment", "get"): Call(_fresh("payment")),
    ("application-appointments", "get"): Call(_fresh("open")),
    ("application-appointments", "post"): Call(  # the fresh open one is booked already
        _fresh("awaiting"), lambda w: {"location": w.location.code, "starts_at": _free_time(w)}, status=201
    ),
    ("appointment", "get"): Call(_fresh("appointment")),
    ("appointment-confirm", "post"): Call(_fresh("appointment"), status=409),  # booked already: nothing held
    ("appointment-cancel", "post"): Call(_fresh("appointment")),
    ("entitlements", "get"): Call(),
    ("entitlement", "get"): Call(_fresh("entitlement")),
    ("entitlement-confirm", "post"): Call(_fresh("entitlement")),
    ("entitlement-decline", "post"): Call(_fresh("entitlement")),
    ("entitlement-preferences", "get"): Call(),
    ("entitlement-preferences", "put"): Call(data=lambda w: {"offers": False}),
}
NOT_MEASURED = {"not-found"}  # the catch-all 404 of unknown paths: no rows


def _endpoints() -> set[tuple[str, str]]:
    api = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api")
    endpoints = set()
    for pattern in api.url_patterns:
        if pattern.name in NOT_MEASURED:
            continue
        view = pattern.callback.cls
        endpoints |= {
            (pattern.name, method) for method in ("get", "post", "put", "patch", "delete") if hasattr(view, method)
        }
    return endpoints


def test_every_endpoint_and_method_has_a_case():
    """Each method of each /api/v1/ endpoint is measured below."""
    assert _endpoints() == set(CALLS)


@pytest.mark.parametrize(("name", "method"), sorted(CALLS))
def test_endpoint_query_count_is_the_same_for_1_and_50_rows(name, method, counted_world):
    """The resident's call costs as many queries with 50 applications, events, documents, requests, ratings,
    notifications, exports and services as with 1."""
    call = CALLS[name, method]
    # Signed in as the app is: a session token (the bench's helper makes one), so authentication is counted too.
    client = APIClient(headers={"accept-language": "en", "x-session-token": _session_for(counted_world.resident)})

    def send():
        url = reverse(f"api:{name}", kwargs=call.kwargs(counted_world))
        data = call.data(counted_world) if call.data else None  # made before the queries are counted
        call.prepare(counted_world)
        request = getattr(client, method)
        return count_queries(lambda: check(request(url, data, format=None if call.multipart else "json")))

    def check(response):
        assert response.status_code == call.status, (name, method, response.status_code, getattr(response, "data", ""))

    client.get(reverse("api:profile"))  # the session's first request records it (allauth user sessions)
    # The process keeps the open service and its form once it has read them (the first call reads more).
    service_form_get_active(slug=counted_world.service.slug)
    with_1 = send()
    grow(counted_world, MANY - 1)
    with_50 = send()

    assert with_50 == with_1
