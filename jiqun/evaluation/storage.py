"""How a run's large JSON fields (its input snapshot, the engine's result, the rank stability) are stored.

A national run stores about a megabyte of JSON: 15,000 snapshot cells with their sources, the engine's matrix and
tables. The standard library's encoder took as long as the engine itself; orjson writes the same JSON in a
quarter of the time. What is stored reads back to the same values: strings (every figure in the snapshot is
exact decimal text, never a float) unchanged, floats with the shortest text that reads back to the same
float, integer dictionary keys as text (as the standard encoder writes them). Non-ASCII text is written as UTF-8
instead of \\u escapes.

The fields keep their JSON as text (`RunJSONText`), as the reports' figures are kept: a run's JSON is written once
and read whole, never queried inside, and PostgreSQL's jsonb parsed the snapshot on every INSERT (25-35 ms of the
server's time for a national run, more than the rest of the write) and SQLite checked it with JSON_VALID.
"""

import json
from typing import Any

import orjson
from django.db import models

from jiqun.monitoring.models import JSONText

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # int keys as text; numpy floats as floats


class RunJSONEncoder(json.JSONEncoder):
    """The JSON encoder of a run's snapshot and result: orjson, and the standard encoder for anything orjson
    refuses (which then refuses it too, or encodes it as it always did)."""

    def encode(self, o: Any) -> str:
        try:
            return orjson.dumps(o, option=_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return super().encode(o)


_encode = RunJSONEncoder().encode


class RunJSONText(JSONText):
    """A run's JSON kept as text on every database (read as the reports' figures are), written by
    `RunJSONEncoder`."""

    def get_prep_value(self, value):
        return None if value is None else _encode(value)


class RowIdField(models.BigAutoField):
    """The primary key of a run's rows: on SQLite a plain rowid, without AUTOINCREMENT, which updated the table's
    counter in sqlite_sequence once per row (3 of a national run's 5 ms of rows). A rowid
    freed by deleting the newest rows may then be used again; nothing refers to a row by its id (a run's rows are
    read through the run). Elsewhere the same as BigAutoField."""

    def db_type_suffix(self, connection):
        return None if connection.vendor == "sqlite" else super().db_type_suffix(connection)


def run_insert(run) -> None:
    """INSERT a new run as `run.save()` does (its created_at set, each field's database value, its pk set after), on
    PostgreSQL with the parameters bound by the server instead of quoted into the statement: a national run's half
    megabyte of JSON is then neither escaped by the client nor scanned by the server's parser (9 ms, now 5). Through
    Django's cursor wrappers, so query logging, query counting and execute wrappers see it as any other query."""
    from django.db import connection

    if connection.vendor != "postgresql":
        run.save()
        return
    from django.db.backends.postgresql.base import ServerBindingCursor
    from django.db.models.sql import InsertQuery

    meta = run._meta
    query = InsertQuery(type(run))
    query.insert_values([f for f in meta.local_concrete_fields if not f.primary_key], [run])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    ((sql, params),) = compiler.as_sql()
    connection.ensure_connection()
    bound = ServerBindingCursor(connection.connection)
    with (connection.make_debug_cursor(bound) if connection.queries_logged else connection.make_cursor(bound)) as cursor:
        cursor.execute(sql, params)
        (run.pk,) = cursor.fetchone()
    run._state.adding, run._state.db = False, connection.alias
