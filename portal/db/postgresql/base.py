"""Django's PostgreSQL backend, with a health check of a kept connection that makes no round trip, and the hot
statements prepared on the server.

With CONN_HEALTH_CHECKS, Django checks a kept connection before each request's (and, portal/celery.py, each task's)
first query by running ``SELECT 1`` on it: one round trip to the server a request, on the hottest paths a third of
the network waits of a signed-in API read. A connection the server ended (a restart, ``pg_terminate_backend``, an
idle timeout, a proxy dropping it) has something waiting on its socket: the server's last error and the end of the
stream. An idle connection in good order has nothing: every answer to the last statement was read. So the check
looks at the socket without waiting (poll) and closes the connection when anything is there or libpq already knows
it closed; Django then opens a new one for the query. A server gone without a word (no FIN: a host lost, a network
cut) is not seen by this check, nor promptly by ``SELECT 1``, which waits on it as any query would.

The statements a hot path keeps (services/common/statements.py) are prepared on the server session the first time
they run on it, in the same round trip, and then executed by name: parsing, analysing and planning them again was
about half of what PostgreSQL spent on a one-call submission (docs/decisions.md). psycopg2 speaks only the simple
protocol, so this is SQL's own ``PREPARE``/``EXECUTE``. A prepared statement lives as long as its session (a
rollback keeps it) and belongs to it: behind a pooler in transaction mode, where the next transaction may run on
another client's session, nothing is prepared (``DISABLE_SERVER_SIDE_CURSORS``, which the same pooling sets).
"""

import itertools
import re
import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresDatabaseOperations

_NAMES = itertools.count()  # a name is never used twice in a process: one a failed round trip left prepared stays
_PLACEHOLDER = re.compile(r"%%|%s")


class DatabaseOperations(PostgresDatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The statements as the ORM would have sent them, for the query log and tests that read it (not ``EXECUTE
        kept_3(...)``)."""
        plain, self.connection.plain_query = getattr(self.connection, "plain_query", None), None
        return plain or super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(PostgresDatabaseWrapper):
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        # The statements prepared on this session: SQL -> name; None where no statement is prepared.
        self.prepared = None if self.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] else {}
        return connection

    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if self.connection.closed or _something_waiting(self.connection.fileno()):
            self.close()
        self.health_check_done = True

    def execute_kept(self, cursor, statements: list[tuple[str, list]]) -> None:
        """Run the ``(SQL, parameters)`` statements in one round trip on Django's ``cursor``, each prepared on the
        session the first time (``PREPARE`` in the same round trip), then executed by name."""
        params = [param for _sql, values in statements for param in values]
        if self.prepared is None:
            cursor.execute(";\n".join(sql for sql, _values in statements), params)
            return
        texts, new = [], []
        for sql, values in statements:
            name = self.prepared.get(sql)
            if name is None:
                name = f"kept_{next(_NAMES)}"
                texts.append(f"PREPARE {name} AS {_numbered(sql)}")
                new.append((sql, name))
            texts.append(f"EXECUTE {name}({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {name}")
        if self.queries_logged:
            self.plain_query = ";\n".join(cursor.mogrify(sql, values).decode() for sql, values in statements)
        cursor.execute(";\n".join(texts), params)
        self.prepared.update(new)  # only once the server has them: a failed PREPARE is tried again, named anew


def _numbered(sql: str) -> str:
    """The SQL with its ``%s`` parameters numbered as ``PREPARE`` takes them (``$1``...); ``%%`` stays as it is, for
    psycopg2 to make ``%`` of it with the rest of the round trip."""
    numbers = itertools.count(1)
    return _PLACEHOLDER.sub(lambda match: "%%" if match.group() == "%%" else f"${next(numbers)}", sql)


def _something_waiting(fd: int) -> bool:
    """Whether the server sent anything (or closed the stream) since the connection's last answer was read."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(waiting.poll(0))
