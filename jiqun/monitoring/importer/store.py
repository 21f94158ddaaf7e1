"""Bulk writes for the importer: COPY on PostgreSQL, executemany elsewhere (sqlite3 binds in C)."""

from contextlib import contextmanager

from django.db import connection


def table_of(model, names: list[str]) -> tuple[str, list[str]]:
    quote = connection.ops.quote_name
    return quote(model._meta.db_table), [quote(model._meta.get_field(name).column) for name in names]


@contextmanager
def bulk_cache(cursor):
    """On SQLite, a 128 MiB page cache while the rows and their indexes are written (the default is 2 MiB)."""
    if connection.vendor != "sqlite":
        yield
        return
    cursor.execute("PRAGMA cache_size")
    before = cursor.fetchone()[0]
    cursor.execute("PRAGMA cache_size = -131072")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {int(before)}")


def insert_rows(cursor, table: str, columns: list[str], rows: list[tuple], constants: tuple) -> None:
    """Insert rows whose last columns take the same `constants`; JSON columns come as JSON text."""
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + constants)
    else:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                           [row + constants for row in rows])
