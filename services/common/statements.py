"""Statements on a hot path that the ORM builds once per process and database, then runs with other values.

Building a small query (filters, joins, compiling the SQL) costs about a millisecond of CPU here; running it through
the same cursor costs a tenth of that. Where many requests run the same statement at once (residents racing for
the last seats of a time), that millisecond each, under one interpreter lock, is most of the wait.
"""

import datetime as dt
from collections.abc import Callable

from django.db import DatabaseError, connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators
from django.db.models.signals import post_save, pre_save
from django.db.models.sql.subqueries import InsertQuery, UpdateQuery


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
        # database alias -> (SQL, the value of each parameter by its index, how its rows are read: _sql's)
        self._kept: dict[str, tuple[str, list[int], tuple]] = {}
        self._tried: set[str] = set()

    def _run(self, values: tuple, result: Callable):
        alias = router.db_for_write(self.model)
        sql, params, reading, kept = self._compiled(alias, values)
        connection = connections[alias]
        with connection.cursor() as cursor:
            if kept:
                execute_kept(cursor, (sql, params))
            else:
                cursor.execute(sql, params)
            return result(cursor, connection, reading)

    def _sql(self, alias: str, values: tuple) -> tuple[str, list, tuple]:
        built = self.build(*values)
        if isinstance(built, tuple):
            queryset, changes = built
            query = queryset.query.chain(UpdateQuery)
            query.add_update_values(changes)
        else:
            query = built.query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        # What the compiler's apply_converters() does to a row read: a JSON field's text parsed, above all.
        selected = [column[0] for column in compiler.select[: compiler.col_count]] if compiler.select else []
        converters = compiler.get_converters(selected) if selected else {}
        return sql, list(params), (converters, _instances(compiler, alias) if compiler.klass_info else None)

    def _compiled(self, alias: str, values: tuple) -> tuple[str, tuple, tuple, bool]:
        """The SQL, its parameters, how its rows are read, and whether the SQL is the kept one."""
        kept = self._kept.get(alias)
        if kept is not None:
            sql, order, reading = kept
            return sql, tuple(values[index] for index in order), reading, True
        sql, params, reading = self._sql(alias, values)
        if alias not in self._tried:
            self._tried.add(alias)
            probes = tuple(_probe(value, n) for n, value in enumerate(values))
            try:
                probe_sql, probe_params, _reading = self._sql(alias, probes)
            except Exception:  # noqa: BLE001  # a probe the query refuses: this run goes on, its SQL not kept
                return sql, tuple(params), reading, False
            order = _places(probe_params, probes)
            if probe_sql == sql and order is not None and _typed(params) == _typed(values[n] for n in order):
                self._kept[alias] = (sql, order, reading)
        return sql, tuple(params), reading, False

    def rows(self, *values) -> list[tuple]:
        """Run a read; return its rows, each value as the ORM reads it."""
        return self._run(values, lambda cursor, connection, reading: _converted(cursor, connection, reading[0]))

    def objects(self, *values) -> list:
        """Run a read of model instances (``build`` gives a queryset of them, with what it selects related, not what
        it prefetches); return them as the ORM's ``ModelIterable`` makes them."""
        return self._run(values, _objects)

    def write(self, *values) -> int:
        """Run an ``UPDATE``; return how many rows it changed."""
        return self._run(values, lambda cursor, _connection, _reading: cursor.rowcount)


def execute_kept(cursor, *statements: tuple[str, list]) -> None:
    """Run ``(SQL, parameters)`` statements whose SQL a hot path keeps, in one round trip on Django's ``cursor``
    (several only on PostgreSQL); prepared on the server where the database's backend does that
    (portal/db/postgresql/), else as they are."""
    run = getattr(cursor.db, "execute_kept", None)
    if run is not None:
        run(cursor, [(sql, list(params)) for sql, params in statements])
        return
    cursor.execute(";\n".join(sql for sql, _params in statements), [p for _sql, params in statements for p in params])


def _converted(cursor, connection, converters: dict) -> list[tuple]:
    rows = cursor.fetchall()
    if not converters:
        return rows
    converted = []
    for row in rows:
        values = list(row)
        for position, (functions, expression) in converters.items():
            for function in functions:
                values[position] = function(values[position], expression, connection)
        converted.append(tuple(values))
    return converted


def _instances(compiler, alias: str) -> tuple:
    """What ``ModelIterable`` makes each row's instance with, from the compiler of its query."""
    klass_info, select = compiler.klass_info, compiler.select
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    return klass_info["model"], names, start, end, get_related_populators(klass_info, select, alias)


def _objects(cursor, connection, reading) -> list:
    converters, (model, names, start, end, populators) = reading
    objects = []
    for row in _converted(cursor, connection, converters):
        obj = model.from_db(connection.alias, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        objects.append(obj)
    return objects


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


def row_insert(*objs) -> None:
    """Insert each new object in ``objs`` as ``obj.save(force_insert=True)`` does, with the ``INSERT`` the ORM
    compiles for its model kept per process and database (compiling it was about a tenth of a one-call submission's
    CPU): each value still goes through its field (``pre_save``, then as the database takes it), and the id the
    database gives is set on it. On PostgreSQL the statements go in one round trip (each one costs about 0.2 ms of
    CPU between this process and the database); every object but the last then has its id already, the only value
    its statement returns. Saved the ORM's way instead: a model with a save of its own, save signals listened to or
    a parent model, a value that is an expression (SQL of its own), or a returned value that needs converting."""
    pending = []  # (obj, alias, SQL, parameters, fields it returns): the inserts to send together
    for obj in objs:
        if pending and not _may_follow(pending[-1], obj):
            _inserts_run(pending)
            pending = []
        statement = _insert_statement(obj)  # its related rows must have their ids: those before it have theirs
        if statement is None:
            if pending:
                _inserts_run(pending)
                pending = []
            obj.save(force_insert=True)
        else:
            pending.append((obj, *statement))
    if pending:
        _inserts_run(pending)


def _may_follow(previous: tuple, obj) -> bool:
    """Whether ``obj``'s insert can follow the ``previous`` one in its round trip: the same PostgreSQL database, and
    the previous one returns nothing its object does not hold already (its id, given before)."""
    before, alias, _sql, _params, returning = previous
    return (
        router.db_for_write(type(obj), instance=obj) == alias
        and connections[alias].vendor == "postgresql"
        and all(field.primary_key for field in returning)
        and before._is_pk_set()
    )


def _inserts_run(pending: list[tuple]) -> None:
    alias = pending[0][1]
    with connections[alias].cursor() as cursor:
        execute_kept(cursor, *((sql, params) for _obj, _alias, sql, params, _ret in pending))
        obj, _alias, _sql, _params, returning = pending[-1]
        row = cursor.fetchone() if returning else ()
    for field, value in zip(returning, row, strict=True):
        setattr(obj, field.attname, value)
    for obj, *_rest in pending:
        obj._state.adding, obj._state.db = False, alias


def _insert_statement(obj) -> tuple[str, str, list, list] | None:
    """The kept ``INSERT`` of the new ``obj``: its database, SQL, parameters and the fields it returns; None where
    it is saved the ORM's way (row_insert)."""
    model, meta = type(obj), obj._meta
    if _saved_by_orm(model):
        return None
    pk_set = obj._is_pk_set(meta)
    alias = router.db_for_write(model, instance=obj)
    key = (model, alias, pk_set)
    if key not in _inserts:
        _inserts[key] = _insert_compiled(obj, alias, pk_set)
    sql, fields, returning, compiler = _inserts[key]
    obj._prepare_related_fields_for_save(operation_name="save")
    values = [field.pre_save(obj, True) for field in fields]
    if sql is None or any(hasattr(value, "resolve_expression") for value in values):
        return None
    params = [compiler.prepare_value(field, value) for field, value in zip(fields, values, strict=True)]
    return alias, sql, params, returning


def _saved_by_orm(model) -> bool:
    """Whether the model's rows must be saved through ``save()``: its own save, save signals, a parent model."""
    own_save = model.save is not Model.save or model.save_base is not Model.save_base
    return own_save or model._meta.parents or pre_save.has_listeners(model) or post_save.has_listeners(model)


def row_update(obj, fields: list[str]) -> None:
    """Save ``fields`` of the stored ``obj`` as ``obj.save(update_fields=fields)`` does, with the ``UPDATE`` kept per
    model, database and fields (the ORM building it was about 0.4 ms of CPU, most of a move's own): each value
    through its field (``pre_save``: an ``auto_now`` field stamped; then as the database takes it). Saved the ORM's
    way where row_insert would, and for a value that is an expression or a field with a placeholder of its own."""
    model, meta = type(obj), obj._meta
    alias, fields = router.db_for_write(model, instance=obj), list(dict.fromkeys(fields))
    columns = [meta.get_field(name) for name in fields]
    values = [field.pre_save(obj, False) for field in columns]
    if (
        _saved_by_orm(model)
        or any(hasattr(field, "get_placeholder") for field in columns)
        or any(hasattr(value, "resolve_expression") for value in values)
    ):
        obj.save(update_fields=fields)
        return
    connection, key = connections[alias], (model, alias, tuple(fields))
    if key not in _updates:
        quote, table = connection.ops.quote_name, connection.ops.quote_name(meta.db_table)
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
        _updates[key] = f"UPDATE {table} SET {assignments} WHERE {table}.{quote(meta.pk.column)} = %s"  # noqa: S608  # nosec B608  # quoted names, bound values
    params = [field.get_db_prep_save(value, connection) for field, value in zip(columns, values, strict=True)]
    with connection.cursor() as cursor:
        execute_kept(cursor, (_updates[key], [*params, meta.pk.get_db_prep_value(obj.pk, connection)]))
        if cursor.rowcount == 0:
            raise DatabaseError("Save with update_fields did not affect any rows.")


_updates: dict[tuple, str] = {}  # (model, database alias, fields) -> the UPDATE row_update runs
_inserts: dict[tuple, tuple] = {}  # (model, database alias, id given) -> what row_insert runs; SQL None: never kept


def _insert_compiled(obj, alias: str, pk_set: bool) -> tuple:
    """The ``INSERT`` of ``obj``'s model's row, as ``Model._save_table`` has the ORM build it: its SQL (None when it
    cannot be kept: not one parameter a field), its fields, the fields it returns and the compiler that adapts each
    value."""
    meta = obj._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and (pk_set or f is not meta.auto_field)]
    returning = meta.db_returning_fields
    query = InsertQuery(type(obj))
    query.insert_values(fields, [obj])
    compiler = query.get_compiler(using=alias)
    compiler.returning_fields = returning
    connection = connections[alias]
    statements = compiler.as_sql()
    query.objs = []  # the compiler is kept: not the object it was built for
    plain = (
        len(statements) == 1
        and len(statements[0][1]) == len(fields)
        and not compiler.returning_params
        and (not returning or connection.features.can_return_columns_from_insert)
        and not any(
            f.get_db_converters(connection) or connection.ops.get_db_converters(f.get_col(meta.db_table))
            for f in returning
        )
    )
    return (statements[0][0] if plain else None), fields, returning, compiler
