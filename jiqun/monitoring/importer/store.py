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


def update_rows(cursor, table: str, key: str, columns: list[str], rows: list[tuple], constants: tuple) -> None:
    """Set `columns` of the rows whose `key` is each row's first item; the last columns take `constants`.

    PostgreSQL: COPY into a temporary table, then one UPDATE … FROM (an UPDATE per row costs a round trip each).
    """
    varying = columns[:len(columns) - len(constants)]
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMPORARY TABLE import_update ON COMMIT DROP AS SELECT {key}, {', '.join(varying)} "
                       f"FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY import_update ({key}, {', '.join(varying)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        assignments = [f"{c} = t.{c}" for c in varying] + [f"{c} = %s" for c in columns[len(varying):]]
        cursor.execute(f"UPDATE {table} SET {', '.join(assignments)} FROM import_update t WHERE {table}.{key} = t.{key}",
                       list(constants))
        cursor.execute("DROP TABLE import_update")
    else:
        sets = ", ".join(f"{c} = %s" for c in columns)
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s", [(*row[1:], *constants, row[0]) for row in rows])
