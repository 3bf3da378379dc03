"""Every staff look at an application or document, and every staff action, goes to an append-only audit log
that administrators search and residents see (department and role, never the person)."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from services.applications.drafts import application_drafts_purge
from services.applications.models import Application, Status
from services.audit.models import AuditAction, AuditEntry, AuditRole
from services.common.errors import NotAllowed
from tests.conftest import unavailable
from tests.factories import ApplicationFactory, StaffFactory, UserFactory

from .conftest import CHANGELIST, act, change_url, logged_in

pytestmark = pytest.mark.django_db


def entries() -> list[tuple]:
    return list(AuditEntry.objects.order_by("id").values_list("action", "role", "department__code", "reference"))


def test_each_look_and_action_is_recorded(health_caseworker, health_application, attached_document):
    client = logged_in(health_caseworker)
    reference = health_application.reference
    document_url = reverse(
        "admin:applications_application_document", args=[health_application.pk, attached_document.public_id]
    )

    client.get(CHANGELIST, {"q": "王"})
    client.get(change_url(health_application))
    client.get(reverse("admin:applications_application_history", args=[health_application.pk]))
    client.get(document_url)
    client.get(f"/documents/{attached_document.public_id}/download/")
    client.get(reverse("admin:applications_application_export"))
    act(client, health_application, "claim")  # and the page it comes back to

    assert entries() == [
        ("list", "caseworker", None, ""),
        ("view", "caseworker", "health", reference),
        ("view", "caseworker", "health", reference),
        ("view_document", "caseworker", "health", reference),
        ("view_document", "caseworker", "health", reference),
        ("export", "caseworker", "health", reference),
        ("claim", "caseworker", "health", reference),
        ("view", "caseworker", "health", reference),
    ]
    first = AuditEntry.objects.order_by("id").first()
    assert (first.actor, first.ip_address, first.detail) == (health_caseworker, "127.0.0.1", "q=%E7%8E%8B")
    assert AuditEntry.objects.filter(action="view_document").first().document == attached_document


def test_an_administrator_is_recorded_as_such(superuser, health_application):
    logged_in(superuser).get(change_url(health_application))

    assert entries() == [("view", "administrator", None, health_application.reference)]


def test_the_address_behind_the_proxy_is_the_one_it_saw(health_caseworker, health_application, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client = logged_in(health_caseworker)

    client.get(change_url(health_application), HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7")

    assert AuditEntry.objects.get().ip_address == "203.0.113.7"


def test_without_a_proxy_a_forwarded_header_is_not_believed(health_caseworker, health_application):
    logged_in(health_caseworker).get(change_url(health_application), HTTP_X_FORWARDED_FOR="203.0.113.7")

    assert AuditEntry.objects.get().ip_address == "127.0.0.1"


def test_the_log_is_append_only(health_caseworker, health_application):
    logged_in(health_caseworker).get(change_url(health_application))
    entry = AuditEntry.objects.get()

    entry.detail = "tampered"
    for attempt in (entry.save, entry.delete, AuditEntry.objects.all().delete,
                    lambda: AuditEntry.objects.update(detail="x")):  # fmt: skip
        with pytest.raises(NotAllowed):
            attempt()
    assert AuditEntry.objects.get().detail == ""


@pytest.mark.integration
def test_postgresql_itself_refuses_to_change_the_log(health_caseworker, health_application):
    """Not even SQL behind the ORM's back can change or delete an entry."""
    from django.db import DatabaseError, transaction

    if connection.vendor != "postgresql":
        unavailable("the append-only trigger is PostgreSQL's: set DATABASE_URL=postgres://...")
    logged_in(health_caseworker).get(change_url(health_application))
    for sql in ("UPDATE audit_auditentry SET detail = 'x'", "DELETE FROM audit_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.count() == 1


def test_purging_a_draft_an_administrator_looked_at_keeps_the_entry(superuser, settings):
    """Entries keep the application without a database constraint, so the draft purge is not blocked."""
    draft = ApplicationFactory(reference="HLT-2026-000042")
    logged_in(superuser).get(change_url(draft))
    Application.objects.filter(pk=draft.pk).update(
        updated_at="2020-01-01T00:00Z", draft_reminder_sent_at="2020-01-01T00:00Z"
    )

    assert application_drafts_purge() == 1
    assert entries() == [("view", "administrator", None, "HLT-2026-000042")]


def test_administrators_search_the_log_and_nobody_edits_it(superuser, health_caseworker, health_application):
    logged_in(health_caseworker).get(change_url(health_application))
    logged_in(StaffFactory(department=health_application.department)).get(CHANGELIST)
    changelist = reverse("admin:audit_auditentry_changelist")
    client = logged_in(superuser)

    by_reference = client.get(changelist, {"q": health_application.reference})
    by_person = client.get(changelist, {"q": health_caseworker.email})

    assert [e.action for e in by_reference.context["cl"].result_list] == [AuditAction.VIEW]
    assert [e.actor for e in by_person.context["cl"].result_list] == [health_caseworker]
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert 'name="_save"' not in client.get(reverse("admin:audit_auditentry_change", args=[entry.pk])).content.decode()
    assert logged_in(health_caseworker).get(changelist).status_code == 403


# --- What the resident sees ------------------------------------------------------------------------------


@pytest.fixture
def looked_at(health_caseworker, health_supervisor, health_application, attached_document):
    """The caseworker opened the application and its document and claimed it; the supervisor opened it."""
    client = logged_in(health_caseworker)
    client.get(change_url(health_application))
    client.get(reverse("admin:applications_application_document",
                       args=[health_application.pk, attached_document.public_id]))  # fmt: skip
    act(client, health_application, "claim")
    logged_in(health_supervisor).get(change_url(health_application))
    logged_in(health_caseworker).get(CHANGELIST)  # a search is nobody's application
    return health_application


def test_resident_sees_which_department_and_role_looked_and_when(looked_at, applicant, health_caseworker,
                                                                 health_supervisor):  # fmt: skip
    client = Client()
    client.cookies["django_language"] = "en"  # the applicant's profile prefers Chinese
    client.force_login(applicant)

    detail = client.get(looked_at.get_absolute_url()).content.decode()
    page = client.get(reverse("applications:access_log", args=[looked_at.public_id]))

    assert reverse("applications:access_log", args=[looked_at.public_id]) in detail
    rows = [(e.department.code, e.role, e.action) for e in page.context["page"].object_list]
    assert rows == [
        ("health", AuditRole.SUPERVISOR, AuditAction.VIEW),
        ("health", AuditRole.CASEWORKER, AuditAction.VIEW),  # the page after the claim
        ("health", AuditRole.CASEWORKER, AuditAction.CLAIM),
        ("health", AuditRole.CASEWORKER, AuditAction.VIEW_DOCUMENT),
        ("health", AuditRole.CASEWORKER, AuditAction.VIEW),
    ]
    content = page.content.decode()
    assert "Health department" in content and "Supervisor" in content and "opened a document: 户口簿.pdf" in content
    assert health_caseworker.email not in content and health_supervisor.email not in content


def test_residents_access_log_in_the_api(looked_at, applicant, health_caseworker):
    api = APIClient(headers={"accept-language": "en"})
    api.force_authenticate(applicant)

    response = api.get(f"/api/v1/applications/{looked_at.public_id}/access-log/")

    assert response.status_code == 200
    first = response.json()["results"][0]
    assert {key: value for key, value in first.items() if key != "at"} == {
        "department": "Health department",
        "role": "supervisor",
        "role_label": "Supervisor",
        "action": "view",
        "action_label": "viewed the application",
    }
    assert health_caseworker.email not in response.content.decode()


def test_another_persons_access_log_is_not_found(looked_at):
    client = Client()
    client.force_login(UserFactory())
    api = APIClient()
    api.force_authenticate(UserFactory())

    assert client.get(reverse("applications:access_log", args=[looked_at.public_id])).status_code == 404
    assert api.get(f"/api/v1/applications/{looked_at.public_id}/access-log/").status_code == 404


def test_the_resident_never_sees_their_own_document_openings(applicant, health_application, attached_document):
    client = Client()
    client.force_login(applicant)
    client.get(f"/documents/{attached_document.public_id}/download/")

    assert not AuditEntry.objects.exists()
    assert health_application.status == Status.ROUTED
