"""Every admin URL of an application, for every kind of visitor: allowed, or a 404, a 403 or the way to the login.

The URLs come from the application admin's registered patterns (and the admin's autocomplete), so a URL added
without an expectation here fails the test instead of going unchecked.
"""

import uuid

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from services.applications.models import Application
from services.caseworker.models import BulkJob, BulkJobItem
from tests.factories import UserFactory

from .conftest import logged_in

pytestmark = pytest.mark.django_db

PREFIX = "/admin/applications/application/"
VISITORS = ["caseworker", "other_department", "supervisor", "superuser", "resident", "anonymous"]

# route → the outcome for a caseworker of the department, a caseworker of another, the department's supervisor
# and an administrator. Residents and anonymous visitors are always sent to the login.
#   shown: 200 and the application's reference is in it   hidden: 200 and it is not   ok: 200 (a document)
#   done: the button's POST redirects back to the page     redirect: 302 (the old URL of the page)
EXPECTED = {
    "": ("shown", "hidden", "shown", "shown"),
    "add/": ("forbidden", "forbidden", "forbidden", "forbidden"),
    "export/": ("shown", "hidden", "shown", "shown"),
    "<path:object_id>/history/": ("shown", "not_found", "shown", "shown"),
    "<path:object_id>/delete/": ("forbidden", "not_found", "forbidden", "forbidden"),
    "<path:object_id>/change/": ("shown", "not_found", "shown", "shown"),
    "<path:object_id>/": ("redirect", "redirect", "redirect", "redirect"),
    "<path:object_id>/act/": ("done", "not_found", "done", "done"),
    "<path:object_id>/documents/<uuid:document_id>/": ("ok", "not_found", "ok", "ok"),
    "next/": ("redirect", "redirect", "redirect", "redirect"),
    "bulk/<uuid:public_id>/": ("shown", "not_found", "not_found", "not_found"),  # the caseworker's own job
    "autocomplete": ("shown", "hidden", "shown", "shown"),
}
STAFF_VISITORS = VISITORS[:4]


def registered_routes() -> list[str]:
    """The routes the application admin registers, plus the admin site's autocomplete of applications."""
    return [str(pattern.pattern) for pattern in admin.site.get_model_admin(Application).get_urls()] + ["autocomplete"]


def test_every_registered_url_has_its_expectations():
    assert sorted(registered_routes()) == sorted(EXPECTED)


def visitor(kind, **staff) -> Client:
    """A client of the kind: staff signed in (with two factors), a signed-in resident, or nobody."""
    if kind == "anonymous":
        return Client()
    return logged_in(UserFactory() if kind == "resident" else staff[kind])


def request(client, route: str, application, document, job):
    if route == "autocomplete":
        query = {"app_label": "audit", "model_name": "auditentry", "field_name": "application"}
        return client.get(reverse("admin:autocomplete"), {**query, "term": application.reference})
    url = PREFIX + route.replace("<path:object_id>", str(application.pk))
    url = url.replace("<uuid:document_id>", str(document.public_id)).replace("<uuid:public_id>", str(job.public_id))
    if route.endswith("act/"):
        return client.post(url, {"action": "note", "note": "Checked the address.", "version": application.version})
    return client.get(url)


@pytest.mark.parametrize("kind", VISITORS)
@pytest.mark.parametrize("route", registered_routes())
def test_scoping_matrix(
    route, kind, health_application, attached_document, health_caseworker, education_caseworker, health_supervisor,
    superuser,
):  # fmt: skip
    client = visitor(
        kind,
        caseworker=health_caseworker,
        other_department=education_caseworker,
        supervisor=health_supervisor,
        superuser=superuser,
    )

    job = BulkJob.objects.create(created_by=health_caseworker, form_token=uuid.uuid4(), kind=BulkJob.Kind.ASSIGN,
                                 language="en", total=1)  # fmt: skip
    BulkJobItem.objects.create(job=job, application=health_application)
    response = request(client, route, health_application, attached_document, job)

    if kind not in STAFF_VISITORS:
        assert response.status_code == 302, (route, kind)
        assert response.url.startswith(reverse("admin:login"))
        assert not health_application.events.exists()
        return
    expected = EXPECTED[route][STAFF_VISITORS.index(kind)]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if expected in ("shown", "hidden"):
        assert response.status_code == 200, (route, kind)
        assert (health_application.reference.encode() in body) == (expected == "shown"), (route, kind)
    elif expected == "ok":
        assert response.status_code == 200 and body == b"%PDF-1.4 factory"
    elif expected == "done":
        assert response.status_code == 302 and response.url == reverse(
            "admin:applications_application_change", args=[health_application.pk]
        )
        assert health_application.events.get().message == "Checked the address."
    elif expected == "redirect":
        assert response.status_code == 302
    else:
        assert response.status_code == {"forbidden": 403, "not_found": 404}[expected], (route, kind)
        assert not health_application.events.exists()
