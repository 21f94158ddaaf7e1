"""A snapshot cell: one subject's value of one criterion (or of one eligibility threshold in one year), with where
it comes from, as a run stores it.

Snapshot format 1 stored every cell as a dict: `value` (exact decimal text, or None with `missing`), `period`,
`quarter`, the `sources` it was read from ({report, revision, indicator} each), and `note`, `registry` … as the
cell's kind has them. A national run is 15,000 cells, nearly all of them a complete 1-12月 total, and their dicts
were most of what the run built, encoded and wrote. Format 2 (cluster runs since 2026-12) stores such a total as a
list, `[value, [report, revision, indicator], …]`: the same value text and the same sources in the same order,
the period implied (the 1-12月 of the snapshot's year, or of the threshold's year the cell is kept under). Every
other cell (missing, an earlier period, a registry count, a quality score) is a dict as before.

Code reads a cell through `cell_value` (the engine's input) and `cell_dict` (the explanation, the Excel sheet):
the same answers for either format, so runs stored in format 1 load, explain and rerun as they did.
"""

from operator import itemgetter
from typing import Any

FORMAT = 2  # the snapshot format `snapshot_collect` writes; a snapshot without "format" is format 1


def period_label(year: int, quarter: int) -> str:
    return f"{year}年1-{quarter * 3}月"


def cell_value(cell: dict | list) -> str | None:
    """The cell's value as exact decimal text, or None when it is missing."""
    return cell[0] if type(cell) is list else cell["value"]


def column_values(values: list[dict], code: str) -> list[str | None]:
    """`cell_value` of the cell of criterion `code` in each of `values` (subjects' "values"), in their order."""
    return [cell_value(cell) for cell in map(itemgetter(code), values)]


def cell_dict(cell: dict | list, year: int) -> dict[str, Any]:
    """The cell as format 1 stores it: `year` is the year it is the figure of (a list cell's 1-12月)."""
    if type(cell) is not list:
        return cell
    return {"value": cell[0], "period": period_label(year, 4), "quarter": 4,
            "sources": [{"report": report, "revision": revision, "indicator": indicator}
                        for report, revision, indicator in cell[1:]]}


def subject_cell(snapshot: dict, subject: dict, code: str) -> dict[str, Any]:
    """The subject's cell of criterion `code` in the snapshot, as format 1 stores it."""
    return cell_dict(subject["values"][code], snapshot["year"])
