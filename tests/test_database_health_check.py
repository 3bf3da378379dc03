"""A kept PostgreSQL connection is checked before a request's first query without a round trip: one the server
ended is replaced (the query succeeds), one in good order is used as it is (no SELECT 1 first)."""

import psycopg2
import pytest
from django.db import connections

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kept_connection():
    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("the check is PostgreSQL's (portal/db/postgresql/)")
    connection.close()  # a fresh connection, whatever an earlier test left
    connection.ensure_connection()
    connection.health_check_done = False  # as at the start of a request (close_old_connections)
    return connection


def test_a_connection_the_server_ended_is_replaced_before_the_query(kept_connection):
    pid = kept_connection.connection.info.backend_pid
    with psycopg2.connect(**kept_connection.get_connection_params()) as other, other.cursor() as cursor:
        # With a timeout (PostgreSQL 14+) the call returns once the backend has exited, its socket closed: without
        # one it returns at the signal, and the check could look before the server's goodbye arrived (CI saw it).
        cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])
        assert cursor.fetchone() == (True,)
    other.close()
    kept_connection.health_check_done = False

    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [(new_pid,)] = cursor.fetchall()

    assert new_pid != pid


def test_a_connection_in_good_order_is_checked_without_a_query(kept_connection, monkeypatch):
    monkeypatch.setattr(type(kept_connection), "is_usable", lambda self: pytest.fail("a round trip to check"))
    raw = kept_connection.connection

    with kept_connection.cursor() as cursor:
        cursor.execute("SELECT 1")

    assert kept_connection.connection is raw and kept_connection.health_check_done
