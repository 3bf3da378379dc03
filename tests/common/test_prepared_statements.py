"""A statement a hot path keeps is prepared on the PostgreSQL session the first time it runs there (in the same
round trip) and then executed by name, with the same results; the query log still shows the statement itself; a
rollback keeps it prepared; one that fails is prepared again under a new name; behind a pooler in transaction mode
nothing is prepared."""

import pytest
from django.db import connection, connections, transaction
from django.db.utils import DataError
from django.test.utils import CaptureQueriesContext

from services.common.statements import execute_kept

pytestmark = pytest.mark.django_db

LIKE = "SELECT %s || '!', %s LIKE 'ab%%'"


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("statements are prepared on PostgreSQL's sessions (portal/db/postgresql/)")


def run(sql: str, params: list, on=connection) -> tuple[tuple, str]:
    """Run a kept statement; return its row and what the session received (psycopg2's last query)."""
    with on.cursor() as cursor:
        execute_kept(cursor, (sql, params))
        return cursor.fetchone(), cursor.cursor.query.decode()


def prepared_on(on=connection) -> set[str]:
    with on.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_a_kept_statement_is_prepared_once_then_executed_by_name(postgresql):
    sql = f"{LIKE} AS first_time"  # never run on this session before
    first, sent_first = run(sql, ["abc", "abc"])
    second, sent_second = run(sql, ["xyz", "xyz"])

    name = connection.prepared[sql]
    assert sent_first.startswith(f"PREPARE {name} AS SELECT $1 || '!', $2 LIKE 'ab%' AS first_time;\nEXECUTE {name}(")
    assert sent_second == f"EXECUTE {name}('xyz', 'xyz')"
    assert (first, second) == (("abc!", True), ("xyz!", False))
    assert name in prepared_on()


def test_the_query_log_shows_the_statement_not_its_name(postgresql):
    run(LIKE, ["abc", "abc"])
    with CaptureQueriesContext(connection) as queries:
        run(LIKE, ["xyz", "xyz"])

    assert [query["sql"] for query in queries.captured_queries] == ["SELECT 'xyz' || '!', 'xyz' LIKE 'ab%'"]


def test_several_statements_go_in_one_round_trip_each_prepared(postgresql):
    statements = [("SELECT %s::int + 1", [1]), ("SELECT %s::int * %s", [3, 4])]
    with connection.cursor() as cursor:
        execute_kept(cursor, *statements)
        assert cursor.fetchone() == (12,)  # the last statement's rows
        execute_kept(cursor, *statements)
        first, second = (connection.prepared[sql] for sql, _params in statements)
        assert cursor.cursor.query.decode() == f"EXECUTE {first}(1);\nEXECUTE {second}(3, 4)"
        assert cursor.fetchone() == (12,)


def test_a_rollback_keeps_the_statement_prepared(postgresql):
    class Undone(Exception):
        pass

    with pytest.raises(Undone), transaction.atomic():
        run("SELECT %s::int + 2", [1])
        raise Undone

    assert run("SELECT %s::int + 2", [5]) == ((7,), f"EXECUTE {connection.prepared['SELECT %s::int + 2']}(5)")


def test_a_statement_that_failed_is_prepared_again_under_a_new_name(postgresql):
    sql, before = "SELECT 10 / %s::int", prepared_on()
    with pytest.raises(DataError), transaction.atomic():
        run(sql, [0])  # prepared, then division by zero in the same round trip: not taken as prepared
    assert sql not in connection.prepared

    row, sent = run(sql, [5])

    assert row == (2,)
    assert sent.startswith(f"PREPARE {connection.prepared[sql]} AS")
    assert len(prepared_on() - before) == 2  # the first stays on the session, unused


@pytest.mark.django_db(transaction=True)
def test_nothing_is_prepared_behind_a_pooler_in_transaction_mode(postgresql):
    pooled = connections.create_connection("default")
    pooled.settings_dict = {**pooled.settings_dict, "DISABLE_SERVER_SIDE_CURSORS": True}
    try:
        assert run(LIKE, ["abc", "abc"], on=pooled) == (("abc!", True), "SELECT 'abc' || '!', 'abc' LIKE 'ab%'")
        assert run(LIKE, ["abd", "abd"], on=pooled)[1] == "SELECT 'abd' || '!', 'abd' LIKE 'ab%'"
        assert pooled.prepared is None
        assert prepared_on(pooled) == set()
    finally:
        pooled.close()


def test_a_new_session_prepares_its_own(postgresql):
    run(LIKE, ["abc", "abc"])
    other = connections.create_connection("default")
    try:
        row, sent = run(LIKE, ["abc", "abc"], on=other)
        assert row == ("abc!", True)
        assert sent.startswith(f"PREPARE {other.prepared[LIKE]} AS")
        assert other.prepared[LIKE] != connection.prepared[LIKE]
    finally:
        other.close()
