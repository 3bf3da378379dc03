"""The queue's page and an application's page as production runs them (autocommit, no test transaction around the
request): the exact statements each sends to PostgreSQL. Every statement is a network round trip, and on a loaded
server the round trips, not the rows, are most of the page's time."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.audit.models import AuditEntry
from tests.factories import ApplicationFactory

from .conftest import CHANGELIST, change_url, logged_in

pytestmark = pytest.mark.django_db(transaction=True)


def statements(client, url) -> list[str]:
    """Return the SQL of the statements of one GET of ``url``."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def short(sql: str) -> str:
    """A statement cut to its verb (a count said so) and the first table it names."""
    verb = "SELECT COUNT" if sql.startswith("SELECT COUNT(*)") else sql.split()[0]
    table = re.search(r'(?:FROM|INTO|UPDATE) "([^"]+)"', sql)
    return f"{verb} {table[1]}" if table else verb


def test_the_queue_page_sends_these_statements(service, health_caseworker):
    """The audit entry is one INSERT (no BEGIN and COMMIT around it) and the departments handled in their own
    systems are asked inside the count and the page, not in a query of their own."""
    ApplicationFactory(service=service, routed=True)
    client = logged_in(health_caseworker)
    client.get(CHANGELIST)  # warm per-process caches (content types, templates) and the filters' cached choices

    sent = statements(client, CHANGELIST)

    assert [short(sql) for sql in sent] == [
        "SELECT accounts_user",  # the session's user
        "SELECT accounts_residentprofile",  # the language and elder mode, once per browser (no cookie yet)
        "SELECT mfa_authenticator",  # two factors
        "SELECT accounts_departmentmembership",  # the staff scope
        "INSERT audit_auditentry",  # who looked at the queue
        "SELECT COUNT applications_application",  # the capped count
        "SELECT applications_application",  # the page of rows (their services named from the filters' kept choices)
    ]
    assert AuditEntry.objects.filter(actor=health_caseworker, action="list").count() == 2
    assert sum("integrations_departmentsystem" in sql for sql in sent) == 2  # inside the count and the page


def test_an_application_page_writes_its_audit_entry_in_one_statement(service, health_caseworker):
    application = ApplicationFactory(service=service, routed=True)
    client = logged_in(health_caseworker)
    client.get(change_url(application))

    sent = [short(sql) for sql in statements(client, change_url(application))]

    assert "INSERT audit_auditentry" in sent
    assert "BEGIN" not in sent and "COMMIT" not in sent
    assert AuditEntry.objects.filter(actor=health_caseworker, action="view", application=application).count() == 2


def test_the_queue_page_reads_only_the_columns_its_rows_show(service, health_caseworker):
    """The page of rows reads what a row shows (reference, service, applicant's name, status, dates, team,
    caseworker): not the answers and snapshots, nor the users' passwords or the applicants' other personal data."""
    ApplicationFactory(service=service, routed=True)
    client = logged_in(health_caseworker)
    client.get(CHANGELIST)

    page = [sql for sql in statements(client, CHANGELIST) if sql.startswith('SELECT "applications_application"')]

    assert len(page) == 1
    for column in ("answers", "intake_flags", "mandate_snapshot", "decision_reason", "password", "id_number", "phone"):
        assert f'."{column}"' not in page[0], column
