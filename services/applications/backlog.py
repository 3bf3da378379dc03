"""Open applications counted without reading them: the kept counts (``OpenCount``) that the routing dashboard and the
supervisors' panels read. A trigger of the database writes, in the transaction of every insert, update or delete of
applications, the change of the open ones' counts by department, team, assignee, status and due date as rows of +n and
-n (inserted rows only: no row that two submissions would both lock). The counts are therefore those of a COUNT over
the applications in every snapshot, whatever changed them (an action, a bulk update, a COPY). A periodic task adds
each key's rows up into one (``open_counts_roll_up``), and ``open_counts_rebuild`` counts them afresh."""

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from .models import OPEN_STATUSES, Application, OpenCount

KEY = ("department_id", "team_id", "assignee_id", "status", "due_date")
_TABLE, _COUNTS = Application._meta.db_table, OpenCount._meta.db_table
_OPEN = ", ".join(f"'{status}'" for status in OPEN_STATUSES)
_COLUMNS = ", ".join(KEY)
_EMPTY = f"DELETE FROM {_COUNTS}"  # noqa: S608  # nosec B608  # names and statuses of this code, no input
_FILL = f"""INSERT INTO {_COUNTS} ({_COLUMNS}, n) SELECT {_COLUMNS}, count(*) FROM {_TABLE}
    WHERE status IN ({_OPEN}) GROUP BY {_COLUMNS}"""  # noqa: S608  # nosec B608

# PostgreSQL: one trigger a statement, with its rows as transition tables, so a bulk update writes one row per key.
_POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION applications_open_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            INSERT INTO {_COUNTS} ({_COLUMNS}, n) SELECT {_COLUMNS}, count(*) FROM new_rows
            WHERE status IN ({_OPEN}) GROUP BY {_COLUMNS};
        ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO {_COUNTS} ({_COLUMNS}, n) SELECT {_COLUMNS}, -count(*) FROM old_rows
            WHERE status IN ({_OPEN}) GROUP BY {_COLUMNS};
        ELSE
            INSERT INTO {_COUNTS} ({_COLUMNS}, n) SELECT {_COLUMNS}, sum(n) FROM (
                SELECT {_COLUMNS}, -1 AS n FROM old_rows WHERE status IN ({_OPEN})
                UNION ALL SELECT {_COLUMNS}, 1 FROM new_rows WHERE status IN ({_OPEN})
            ) AS moved GROUP BY {_COLUMNS} HAVING sum(n) <> 0;
        END IF;
        RETURN NULL;
    END $$""",  # noqa: S608  # nosec B608
    *(
        f"""CREATE OR REPLACE TRIGGER applications_open_count_{operation.lower()} AFTER {operation} ON {_TABLE}
        REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION applications_open_count()"""
        for operation, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
]


def _sqlite_row(row: str, n: int) -> str:
    values = ", ".join(f"{row}.{column}" for column in KEY)
    return f"INSERT INTO {_COUNTS} ({_COLUMNS}, n) SELECT {values}, {n} WHERE {row}.status IN ({_OPEN});"


# SQLite (the embedded mode, the suite without PostgreSQL): one trigger a row.
_SQLITE = [
    f"CREATE TRIGGER applications_open_count_insert AFTER INSERT ON {_TABLE} BEGIN {_sqlite_row('NEW', 1)} END",
    f"CREATE TRIGGER applications_open_count_delete AFTER DELETE ON {_TABLE} BEGIN {_sqlite_row('OLD', -1)} END",
    f"""CREATE TRIGGER applications_open_count_update AFTER UPDATE ON {_TABLE}
    WHEN {" OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in KEY)}
    BEGIN {_sqlite_row("OLD", -1)} {_sqlite_row("NEW", 1)} END""",
]


def open_count_triggers_install(schema_editor) -> None:
    """Install (or replace) the triggers that keep the counts, for the database's vendor, and count the open
    applications there are (run by a migration, whose transaction holds the applications' writers off meanwhile)."""
    if schema_editor.connection.vendor != "postgresql":
        open_count_triggers_remove(schema_editor)  # SQLite replaces no trigger
    for sql in _POSTGRESQL if schema_editor.connection.vendor == "postgresql" else _SQLITE:
        schema_editor.execute(sql)
    schema_editor.execute(_EMPTY)
    schema_editor.execute(_FILL)


def open_count_triggers_remove(schema_editor) -> None:
    """Drop the triggers (the migration's way back)."""
    on = f" ON {_TABLE}" if schema_editor.connection.vendor == "postgresql" else ""
    for name in ("insert", "update", "delete"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS applications_open_count_{name}{on}")


def open_counted(condition: Q | None = None) -> Coalesce:
    """Return the number of open applications (those matching ``condition``) of a group of ``OpenCount`` rows."""
    return Coalesce(Sum("n", filter=condition), 0)


@transaction.atomic
def open_counts_roll_up() -> int:
    """Add each key's rows up into one row (none where they cancel out); return the rows removed. The rows added
    up are locked first: a concurrent roll-up waits, then skips them, so no row is added twice."""
    rows = list(OpenCount.objects.select_for_update().values_list("pk", *KEY, "n"))
    totals: dict[tuple, int] = {}
    for _pk, *key, n in rows:
        totals[tuple(key)] = totals.get(tuple(key), 0) + n
    for start in range(0, len(rows), 10_000):  # under PostgreSQL's limit of a statement's parameters
        OpenCount.objects.filter(pk__in=[row[0] for row in rows[start : start + 10_000]]).delete()
    OpenCount.objects.bulk_create(
        [OpenCount(**dict(zip(KEY, key, strict=True)), n=n) for key, n in totals.items() if n], batch_size=2000
    )
    return len(rows) - sum(1 for n in totals.values() if n)


@transaction.atomic
def open_counts_rebuild() -> int:
    """Count the open applications afresh into the kept counts, replacing them; return the rows written. Writers
    wait for the rebuild (their trigger's insert) and it waits for theirs, so none is counted twice or missed."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_COUNTS} IN EXCLUSIVE MODE")
        cursor.execute(_EMPTY)
        cursor.execute(_FILL)
        return cursor.rowcount
