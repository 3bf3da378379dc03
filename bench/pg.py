"""The bench's PostgreSQL server: where it is, and the two things `bench/run.py` asks of it directly."""

import os

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# Several benches side by side (e.g. one per worktree): BENCH_INSTANCE=N gives each its own databases and ports.
INSTANCE = int(os.environ.get("BENCH_INSTANCE", "0"))


def db(name: str) -> str:
    """The database called ``name`` for this instance of the bench."""
    return f"{name}_{INSTANCE}" if INSTANCE else name


def create_database(name: str) -> None:
    import psycopg2

    name = db(name)

    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def sql(database: str, query: str) -> int:
    import psycopg2

    with psycopg2.connect(f"{PG}/{db(database)}") as conn, conn.cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]
