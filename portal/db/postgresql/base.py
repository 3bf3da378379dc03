"""Django's PostgreSQL backend, with a health check of a kept connection that makes no round trip.

With CONN_HEALTH_CHECKS, Django checks a kept connection before each request's (and, portal/celery.py, each task's)
first query by running ``SELECT 1`` on it: one round trip to the server a request, on the hottest paths a third of
the network waits of a signed-in API read. A connection the server ended (a restart, ``pg_terminate_backend``, an
idle timeout, a proxy dropping it) has something waiting on its socket: the server's last error and the end of the
stream. An idle connection in good order has nothing: every answer to the last statement was read. So the check
looks at the socket without waiting (poll) and closes the connection when anything is there or libpq already knows
it closed; Django then opens a new one for the query. A server gone without a word (no FIN: a host lost, a network
cut) is not seen by this check, nor promptly by ``SELECT 1``, which waits on it as any query would.
"""

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgresDatabaseWrapper


class DatabaseWrapper(PostgresDatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if self.connection.closed or _something_waiting(self.connection.fileno()):
            self.close()
        self.health_check_done = True


def _something_waiting(fd: int) -> bool:
    """Whether the server sent anything (or closed the stream) since the connection's last answer was read."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(waiting.poll(0))
