"""Statements on a hot path that the ORM builds once per process and database, then runs with other values.

Building a small query (filters, joins, compiling the SQL) costs about a millisecond of CPU here; running it through
the same cursor costs a tenth of that. Where many requests run the same statement at once (residents racing for
the last seats of a time), that millisecond each, under one interpreter lock, is most of the wait.
"""

import datetime as dt
from collections.abc import Callable

from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.sql.subqueries import UpdateQuery


class Statement:
    """The SQL of ``build(*values)``: a queryset (rows: ``values_list``), or a queryset and the changes to write in
    its rows (an ``UPDATE``; the run returns how many rows changed).

    Which parameter is which value is read off the statement built once more, for probe values all different from
    each other (two equal ids would leave it unknown). The SQL is kept when that statement is the same SQL and its
    parameters are its values, each once and unchanged (same type), so the kept SQL with new values is the
    statement the ORM would build for them. Elsewhere each run builds it as usual: a value the database adapter
    converts (SQLite's date and time), or a value that is no parameter because it shapes the SQL itself
    (``filter(flag=False)`` is ``WHERE NOT flag``, ``None`` is ``IS NULL``). Every value in ``build``'s SQL is one
    of its arguments, as it is: never a constant of its own or a value computed from them.

    Each runs on the database writes go to: these are the reads and writes of a write's transaction.
    """

    def __init__(self, model, build: Callable[..., QuerySet | tuple[QuerySet, dict]]):
        self.model, self.build = model, build
        self._kept: dict[str, tuple[str, list[int]]] = {}  # database alias -> (SQL, value index of each parameter)
        self._tried: set[str] = set()

    def _run(self, values: tuple, result: Callable):
        alias = router.db_for_write(self.model)
        sql, params = self._compiled(alias, values)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return result(cursor)

    def _sql(self, alias: str, values: tuple) -> tuple[str, list]:
        built = self.build(*values)
        if isinstance(built, tuple):
            queryset, changes = built
            query = queryset.query.chain(UpdateQuery)
            query.add_update_values(changes)
        else:
            query = built.query
        sql, params = query.get_compiler(using=alias).as_sql()
        return sql, list(params)

    def _compiled(self, alias: str, values: tuple) -> tuple[str, tuple]:
        kept = self._kept.get(alias)
        if kept is not None:
            return kept[0], tuple(values[index] for index in kept[1])
        sql, params = self._sql(alias, values)
        if alias not in self._tried:
            self._tried.add(alias)
            probes = tuple(_probe(value, n) for n, value in enumerate(values))
            probe_sql, probe_params = self._sql(alias, probes)
            order = _places(probe_params, probes)
            if probe_sql == sql and order is not None and _typed(params) == _typed(values[n] for n in order):
                self._kept[alias] = (sql, order)
        return sql, tuple(params)

    def rows(self, *values) -> list[tuple]:
        """Run a read; return its rows."""
        return self._run(values, lambda cursor: cursor.fetchall())

    def write(self, *values) -> int:
        """Run an ``UPDATE``; return how many rows it changed."""
        return self._run(values, lambda cursor: cursor.rowcount)


def _probe(value, n: int):
    """A value of ``value``'s type that no other probe equals (the ``n``-th), where the type allows it."""
    if type(value) is int:
        return 1000 + n  # small: an integer field's lookup past its range would change the SQL
    if type(value) is str:
        return f"probe-{n}"
    if type(value) is dt.datetime:
        return dt.datetime(2001, 1, 1, tzinfo=value.tzinfo) + dt.timedelta(days=n)
    return value


def _places(params: list, values: tuple) -> list[int] | None:
    """The index of the value each parameter is, when the parameters are the values, each once, or None."""
    order = []
    for param in params:
        found = [n for n, value in enumerate(values) if type(value) is type(param) and value == param]
        if len(found) != 1:
            return None
        order.append(found[0])
    return order if sorted(order) == list(range(len(values))) else None


def _typed(values) -> list[tuple]:
    return [(type(value), value) for value in values]
