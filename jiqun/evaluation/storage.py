"""How a run's large JSON fields (its input snapshot and the engine's result) are encoded for the database.

A national run stores megabytes of JSON: 15,000 snapshot cells with their sources, the engine's matrix and
tables. The standard library's encoder took as long as the engine itself; orjson writes the same JSON in a
quarter of the time. What is stored reads back to the same values: strings (every figure in the snapshot is
exact decimal text, never a float) unchanged, floats with the shortest text that reads back to the same
float, integer dictionary keys as text (as the standard encoder writes them). Non-ASCII text is written as UTF-8
instead of \\u escapes.
"""

import json
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY  # int keys as text; numpy floats as floats


class RunJSONEncoder(json.JSONEncoder):
    """The JSON encoder of a run's snapshot and result: orjson, and the standard encoder for anything orjson
    refuses (which then refuses it too, or encodes it as it always did)."""

    def encode(self, o: Any) -> str:
        try:
            return orjson.dumps(o, option=_OPTIONS).decode()
        except orjson.JSONEncodeError:
            return super().encode(o)
