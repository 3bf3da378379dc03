"""The resident's application page: the exact queries it sends (each a network round trip, most of a page's time on
a loaded database server)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def short(sql: str) -> str:
    """A statement cut to its verb (a count said so) and the first table it reads."""
    verb = "SELECT COUNT" if sql.startswith("SELECT COUNT(*)") else sql.split()[0]
    table = re.search(r'(?:FROM|INTO|UPDATE) "([^"]+)"', sql)
    return f"{verb} {table[1]}" if table else verb


def test_an_application_page_sends_these_queries(client, resident, service):
    """The department handling the application is its service's (read with the application, not again), and the
    ratings are read once: whether the current step may be rated is worked out from them."""
    application = ApplicationFactory(applicant=resident, service=service, in_review=True)
    client.force_login(resident)
    url = application.get_absolute_url()
    client.get(url)  # warm per-process caches

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200
    assert service.department.name in response.content.decode()  # the tracker names the department
    assert b'name="speed"' in response.content  # the step may be rated: the form is shown
    assert [short(q["sql"]) for q in queries.captured_queries] == [
        "SELECT accounts_user",  # the session's user
        "SELECT accounts_residentprofile",  # the language and elder mode, once per browser (no cookie yet)
        "SELECT applications_application",  # the application, its service and the service's department
        "SELECT COUNT notifications_notification",  # the unread messages in the header
        "SELECT appointments_location",  # whether the service takes appointments
        "SELECT applications_informationrequest",  # what the department asked
        "SELECT documents_document",  # the document types the attached documents cover
        "SELECT catalogue_documenttype",  # the document types the service asks for
        "SELECT documents_document",  # the attached documents
        "SELECT documents_document",  # the wallet's documents that could be attached
        "SELECT applications_applicationevent",  # the timeline
        "SELECT ratings_rating",  # the ratings given (and so whether this step may be rated)
    ]


def test_my_applications_read_only_what_the_list_shows(client, resident, service):
    """The list reads each application with its service's title and nothing else: not the answers, nor the service's
    form, texts and rules, nor the form version's schema (JSON decoded row by row for nothing)."""
    ApplicationFactory.create_batch(3, applicant=resident, service=service, routed=True)
    client.force_login(resident)
    url = reverse("applications:mine")
    client.get(url)  # warm per-process caches

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)

    assert response.status_code == 200 and service.title in response.content.decode()
    rows = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "applications_application"')]
    assert len(rows) == 1
    for column in ("answers", "intake_flags", "mandate_snapshot", "form_schema", "eligibility_rules", "schema"):
        assert f'."{column}"' not in rows[0], column
    assert "catalogue_formversion" not in rows[0] and "catalogue_department" not in rows[0]
