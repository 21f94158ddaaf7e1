"""Bulk writes for the importer: COPY on PostgreSQL, json_each on SQLite, executemany elsewhere."""

import json
from contextlib import contextmanager

from django.db import connection

CHUNK = 50_000  # rows per statement on SQLite


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


def _json_each() -> bool:
    return connection.vendor == "sqlite" and connection.Database.sqlite_version_info >= (3, 38)  # JSON built in


def _extract(count: int) -> list[str]:
    """json_each's value unpacked into columns; a nested object comes out as its JSON text, which is what is stored."""
    return [f"json_extract(value, '$[{i}]')" for i in range(count)]


def _as_text(rows: list[tuple], json_columns: set[int]) -> list[tuple]:
    return [tuple(json.dumps(v, ensure_ascii=False) if i in json_columns else v for i, v in enumerate(row))
            for row in rows]


def insert_rows(cursor, table: str, columns: list[str], rows: list[tuple], constants: tuple,
                json_columns: set[int] = frozenset()) -> None:
    """Insert rows whose last columns take the same `constants`; `json_columns` (indexes into a row) hold dicts.

    PostgreSQL: COPY. SQLite: chunks of rows as one JSON text each, unpacked by json_each in C, which
    writes 100,000s of rows in about two thirds of the time of executemany's per-row parameter binding.
    """
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(tuple(Jsonb(v) if i in json_columns else v for i, v in enumerate(row)) + constants)
    elif _json_each():
        select = ", ".join(_extract(len(columns) - len(constants)) + ["%s"] * len(constants))
        for start in range(0, len(rows), CHUNK):
            cursor.execute(f"INSERT INTO {table} ({names}) SELECT {select} FROM json_each(%s)",
                           [*constants, json.dumps(rows[start:start + CHUNK], ensure_ascii=False)])
    else:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})",
                           [row + constants for row in _as_text(rows, json_columns)])


def update_rows(cursor, table: str, key: str, columns: list[str], rows: list[tuple], constants: tuple,
                json_columns: set[int] = frozenset()) -> None:
    """Set `columns` of the rows whose `key` is each row's first item; the last columns take `constants`.

    `json_columns` index the row's values after the key. PostgreSQL: COPY into a temporary table, then one
    UPDATE … FROM. SQLite: UPDATE … FROM json_each, a chunk at a time.
    """
    varying = columns[:len(columns) - len(constants)]
    assignments = [f"{c} = t.{c}" for c in varying] + [f"{c} = %s" for c in columns[len(varying):]]
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        cursor.execute(f"CREATE TEMPORARY TABLE import_update ON COMMIT DROP AS SELECT {key}, {', '.join(varying)} "
                       f"FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY import_update ({key}, {', '.join(varying)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row((row[0], *(Jsonb(v) if i in json_columns else v for i, v in enumerate(row[1:]))))
        cursor.execute(f"UPDATE {table} SET {', '.join(assignments)} FROM import_update t WHERE {table}.{key} = t.{key}",
                       list(constants))
        cursor.execute("DROP TABLE import_update")
    elif _json_each() and connection.Database.sqlite_version_info >= (3, 33):  # UPDATE … FROM
        select = ", ".join(f"{expr} AS {name}" for expr, name in zip(
            _extract(len(varying) + 1), [key, *varying], strict=True))
        for start in range(0, len(rows), CHUNK):
            cursor.execute(f"UPDATE {table} SET {', '.join(assignments)} FROM (SELECT {select} FROM json_each(%s)) AS t "
                           f"WHERE {table}.{key} = t.{key}",
                           [*constants, json.dumps(rows[start:start + CHUNK], ensure_ascii=False)])
    else:
        sets = ", ".join(f"{c} = %s" for c in columns)
        cursor.executemany(f"UPDATE {table} SET {sets} WHERE {key} = %s",
                           [(*row[1:], *constants, row[0]) for row in _as_text(rows, {i + 1 for i in json_columns})])
