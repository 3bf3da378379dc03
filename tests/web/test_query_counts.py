"""Every resident web page costs the same number of queries with 1 row of everything it lists as with 50.

The pages are read from the URL configuration: a new page without a case here fails
test_every_resident_page_has_a_case."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from services.appointments.notifications import cancel_token
from services.credentials.actions import credential_token
from tests.query_counts import MANY, World, count_queries, grow, url_names

pytestmark = pytest.mark.django_db

# The admin, the API, allauth's own pages and the identity sign-in, where payment providers post notifications,
# the probes and Prometheus's.
NOT_RESIDENT_PAGES = (
    "admin/", "api/", "accounts/", "identity/", "i18n/", "healthz", "payments/notify/", "readyz", "livez", "metrics"
)  # fmt: skip


@dataclass(frozen=True)
class Page:
    kwargs: Callable[[World], dict] = lambda w: {}
    method: str = "get"
    data: Callable[[World], dict] = lambda w: {}
    status: int = 200


def _case(w: World, name: str) -> dict:
    return {"public_id": w.fresh[name].public_id}


PAGES = {
    "home": Page(),
    "accessibility": Page(),
    "statistics:public": Page(),
    "statistics:city": Page(status=404),  # a resident finds no city view (tests/statistics/test_city_view.py)
    "statistics:city-open-data-csv": Page(),
    "statistics:city-open-data-json": Page(),
    "catalogue:list": Page(),
    "catalogue:service": Page(lambda w: {"slug": w.service.slug}),
    "applications:mine": Page(),
    "applications:apply": Page(lambda w: {"slug": w.service.slug}, status=302),
    "applications:detail": Page(lambda w: {"public_id": w.decided.public_id}),
    "applications:step": Page(lambda w: {**_case(w, "draft"), "key": "answers"}),
    "applications:check": Page(lambda w: _case(w, "draft")),
    "applications:submitted": Page(lambda w: {"public_id": w.decided.public_id}),
    "applications:withdraw": Page(lambda w: _case(w, "open"), method="post", status=302),
    "applications:answer": Page(
        lambda w: {"public_id": w.fresh["awaiting"].public_id, "request_id": w.fresh["request"].public_id}
    ),
    "applications:decision_letter": Page(lambda w: {"public_id": w.decided.public_id}),
    "applications:access_log": Page(lambda w: {"public_id": w.decided.public_id}),
    "documents:wallet": Page(),
    "documents:download": Page(lambda w: {"public_id": w.document.public_id}),
    "applications:attach_document": Page(
        lambda w: {"public_id": w.fresh["open"].public_id},
        method="post",
        data=lambda w: {"document": w.document.public_id},
        status=302,
    ),
    "applications:upload_document": Page(lambda w: {"public_id": w.fresh["open"].public_id}),
    "notifications:inbox": Page(),
    "notifications:read": Page(lambda w: _case(w, "notification"), method="post", status=302),
    "notifications:read-all": Page(method="post", status=302),
    "bundles:list": Page(),
    "bundles:apply": Page(lambda w: {"slug": w.bundle.slug}),
    "bundles:submission": Page(lambda w: {"public_id": w.submission.public_id}),
    "ratings:rate": Page(lambda w: _case(w, "decided")),
    "mandates:list": Page(),
    "circumstances:list": Page(),
    "circumstances:choose": Page(),
    "circumstances:report": Page(lambda w: {"kind": "birth"}),
    "circumstances:detail": Page(lambda w: _case(w, "change")),
    "mandates:grant": Page(),
    "mandates:accept": Page(lambda w: {"token": "not-a-real-link"}),
    "mandates:revoke": Page(lambda w: _case(w, "mandate"), method="post", status=302),
    "accounts:profile": Page(),
    "accounts:security": Page(),
    "accounts:delete": Page(),
    "accounts:elder-mode": Page(method="post", data=lambda w: {"elder_mode": "1", "next": "/"}, status=302),
    "accounts:export": Page(),
    "accounts:export-status": Page(lambda w: {"public_id": w.export.public_id}),
    "accounts:export-download": Page(lambda w: {"public_id": w.export.public_id}),
    "payments:start": Page(lambda w: {"application_id": w.fresh["open"].public_id}, method="post", status=302),
    "payments:detail": Page(lambda w: _case(w, "payment")),
    "payments:receipt": Page(lambda w: _case(w, "payment")),
    "appointments:book": Page(lambda w: {"application_id": w.fresh["open"].public_id}),
    "appointments:detail": Page(lambda w: _case(w, "appointment")),
    "appointments:confirm": Page(lambda w: _case(w, "appointment"), status=302),
    "appointments:ics": Page(lambda w: _case(w, "appointment")),
    "appointments:cancel": Page(lambda w: _case(w, "appointment"), method="post", status=302),
    "appointments:cancel_link": Page(lambda w: {"token": cancel_token(appointment=w.fresh["appointment"])}),
    "credentials:list": Page(),
    "credentials:detail": Page(lambda w: _case(w, "credential"), data=lambda w: {"show": ["holder_name"]}),
    "credentials:verify": Page(data=lambda w: {"token": credential_token(credential=w.fresh["credential"], claims={})}),
    "credentials:jwks": Page(),
    "proactive:list": Page(),
    "proactive:confirm": Page(lambda w: _case(w, "entitlement"), method="post", status=302),
    "proactive:decline": Page(lambda w: _case(w, "entitlement"), method="post", status=302),
    "proactive:preferences": Page(method="post", data=lambda w: {"offers": "off"}, status=302),
}


def test_every_resident_page_has_a_case():
    """Each page of the resident web site (not the admin, the API or allauth's sign-in pages) is measured below."""
    site = url_names("") - {name for prefix in NOT_RESIDENT_PAGES for name in url_names(prefix)}
    assert site == set(PAGES)


@pytest.mark.parametrize("name", sorted(PAGES))
def test_resident_page_query_count_is_the_same_for_1_and_50_rows(name, counted_world):
    """The signed-in resident's page costs as many queries with 50 applications, events, documents, requests,
    notifications, exports, services and bundle parts as with 1."""
    page = PAGES[name]
    client = Client()
    client.force_login(counted_world.resident)
    client.get("/")  # the session's first request records it (allauth user sessions)

    def visit():
        url = reverse(name, kwargs=page.kwargs(counted_world))
        response = getattr(client, page.method)(url, page.data(counted_world))
        assert response.status_code == page.status, (name, response.status_code)

    with_1 = count_queries(visit)
    grow(counted_world, MANY - 1)
    with_50 = count_queries(visit)

    assert with_50 == with_1
