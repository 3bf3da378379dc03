"""Writing many rows' own values in one statement, and deleting many rows a batch at a time, cheaply."""

from django.db import connections, models, router


def rows_update(*, objects: list[models.Model], fields: list[str]) -> None:
    """Save ``fields`` of ``objects`` (one model, each row its own values) in one UPDATE.

    On PostgreSQL: ``UPDATE … FROM UNNEST(%s::type[], …)``, one array per column, as Django 5.2's bulk_create
    inserts; Django's ``bulk_update`` builds a CASE per field with a WHEN per row, whose expressions cost most of a
    routing batch's time (50 rows, 9 fields: 0.6 s of 0.95 s under cProfile). Elsewhere (SQLite), ``bulk_update``.
    """
    if not objects:
        return
    model = type(objects[0])
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._base_manager.bulk_update(objects, fields)
        return
    columns = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    arrays = [
        [column.get_db_prep_save(getattr(row, column.attname), connection) for row in objects] for column in columns
    ]
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), [quote(column.column) for column in columns]
    assignments = ", ".join(f"{name} = v.{name}" for name in names[1:])
    unnest = ", ".join(f"%s::{column.db_type(connection)}[]" for column in columns)
    listed, where = ", ".join(names), f"{table}.{names[0]} = v.{names[0]}"
    sql = f"UPDATE {table} SET {assignments} FROM UNNEST({unnest}) AS v({listed}) WHERE {where}"  # noqa: S608  # nosec B608  # quoted names, bound values
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)


def rows_delete(*, queryset: models.QuerySet, batch: int = 5000) -> int:
    """Delete the rows of ``queryset`` (and what cascades from them) ``batch`` primary keys at a time; return how
    many of its own rows went.

    Each batch is a short statement of its own (its own transaction under autocommit), found by walking the primary
    key upwards from the last batch's, so a purge of a big table never holds many row locks for long, never runs
    one long transaction that keeps vacuum from the table, and never comes back to a row it kept.
    """
    label, deleted, last = queryset.model._meta.label, 0, None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        ids = list(page.order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return deleted
        # The condition is checked again as the rows go: one that stopped matching meanwhile stays.
        deleted += queryset.filter(pk__in=ids).delete()[1].get(label, 0)
        last = ids[-1]
