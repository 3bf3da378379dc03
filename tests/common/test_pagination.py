"""A page of a resident's list is read without counting the list: its rows and one more (is there an older page?);
only a page past the end counts, to show the last page instead."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.accounts.models import User
from services.common.pagination import page_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    UserFactory.create_batch(7)
    return User.objects.order_by("pk")


@pytest.mark.parametrize(
    ("asked", "number", "rows", "older", "newer"),
    [("1", 1, [0, 1, 2], True, False), ("2", 2, [3, 4, 5], True, True), ("3", 3, [6], False, True),
     (None, 1, [0, 1, 2], True, False), ("x", 1, [0, 1, 2], True, False), ("-4", 1, [0, 1, 2], True, False),
     ("99", 3, [6], False, True)],
)  # fmt: skip
def test_each_page_has_its_rows_and_knows_its_neighbours(users, asked, number, rows, older, newer):
    everyone = list(users)

    page = page_of(users, asked, 3)

    assert list(page) == [everyone[n] for n in rows] and page.number == number
    assert (page.has_next, page.has_previous, page.has_other_pages()) == (older, newer, older or newer)
    assert (page.next_page_number(), page.previous_page_number()) == (number + 1, number - 1)


def test_a_page_counts_nothing_unless_it_is_past_the_end(users):
    with CaptureQueriesContext(connection) as within:
        page_of(users, "2", 3)
    with CaptureQueriesContext(connection) as past:
        page_of(users, "9", 3)

    assert [q["sql"] for q in within.captured_queries if "COUNT(" in q["sql"]] == []
    assert len(within.captured_queries) == 1
    assert any("COUNT(" in q["sql"] for q in past.captured_queries)


def test_an_empty_list_is_one_empty_page():
    page = page_of(User.objects.none(), "3", 3)

    assert list(page) == [] and page.number == 1 and not page.has_other_pages()
