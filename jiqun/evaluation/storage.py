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
