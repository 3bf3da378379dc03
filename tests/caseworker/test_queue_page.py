"""The queue's page writes parts of Django's change list itself, for speed (services/caseworker/admin/queue.py, the
caseworker_queue template tags): the page must say all that Django's own page says, in either language."""

import re

import pytest
from django.core.cache import cache

from services.caseworker.admin import ApplicationAdmin
from services.caseworker.admin.filters import WrittenOut
from services.caseworker.templatetags import caseworker_queue
from tests.factories import ApplicationFactory, ResidentProfileFactory, TeamFactory

from .conftest import CHANGELIST, logged_in

pytestmark = pytest.mark.django_db

# What differs from one response to the next whatever writes the page: the form's one-time tokens.
TOKENS = re.compile(r'(name="(?:csrfmiddlewaretoken|bulk_token)" value=)"[^"]*"')


def page(response) -> str:
    """The page's content, its tokens blanked and the white space between two tags dropped."""
    assert response.status_code == 200
    html = TOKENS.sub(r'\1""', response.content.decode())
    return re.sub(r">\s+<", "><", html).strip()


def djangos_own(monkeypatch):
    """Make the queue write its page as Django's change list does (its table, filters and action form's widgets)."""
    monkeypatch.setattr(ApplicationAdmin, "queue_rows", lambda self, cl: None)
    monkeypatch.setattr(WrittenOut, "template", "admin/filter.html")
    monkeypatch.setattr(caseworker_queue, "_widget", str)


@pytest.fixture
def queue(health, education, service, health_caseworker):
    team = TeamFactory(department=health, code="pudong")
    elsewhere = TeamFactory(department=education, code="jingan")  # not among the filters' teams: read by id
    ApplicationFactory(service=service, routed=True, team=elsewhere, reference="HLT-2026-000003")
    ApplicationFactory(service=service, routed=True, due_date="2026-01-05", reference="HLT-2026-000001",
                       applicant=ResidentProfileFactory(legal_name="<b>O'Brien</b>").user)  # fmt: skip
    ApplicationFactory(service=service, in_review=True, team=team, assignee=health_caseworker, due_date="2099-01-01",
                       reference="HLT-2026-000002")  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "query", ["", "?assigned=nobody&o=2", "?status=all&deadline=overdue", "?q=HLT-2026-000001", "?q=HLT-1999"]
)
def test_the_queue_page_is_djangos_change_list_page(queue, health_caseworker, language, query, monkeypatch):
    client = logged_in(health_caseworker, HTTP_ACCEPT_LANGUAGE=language)

    written = page(client.get(CHANGELIST + query))
    djangos_own(monkeypatch)
    djangos = page(client.get(CHANGELIST + query))

    assert written == djangos
    assert 'id="changelist-filter"' in written
    assert "jingan" in written.lower() or query != ""  # a team of another department named too
    assert ("HLT-2026-00000" in written) == (query != "?q=HLT-1999")  # none found: no table
    assert "&lt;b&gt;O&#x27;Brien&lt;/b&gt;" in written or "?q=" in query  # the name escaped


def test_an_administrators_queue_page_with_its_routing_filter_is_djangos(queue, superuser, monkeypatch):
    client = logged_in(superuser)

    written = page(client.get(CHANGELIST + "?routing_failed=1&status=all"))
    djangos_own(monkeypatch)
    djangos = page(client.get(CHANGELIST + "?routing_failed=1&status=all"))

    assert written == djangos
    assert 'data-filter-title="routing"' in written


def test_the_rows_name_services_as_the_filters_do_until_their_choices_are_read_again(queue, service, health_caseworker):
    """The rows' services and teams are named from the filters' kept choices (a minute at most), not read for every
    page: a renamed service is named anew in the filter and the rows together."""
    client = logged_in(health_caseworker)
    old = service.title_en
    client.get(CHANGELIST)
    service.title_en = "Renamed service"
    service.save()

    kept = client.get(CHANGELIST).content.decode()
    cache.clear()  # the choices' minute over
    read_again = client.get(CHANGELIST).content.decode()

    assert kept.count(old) == read_again.count("Renamed service") > 1  # in the filter and the rows
    assert "Renamed service" not in kept and old not in read_again
