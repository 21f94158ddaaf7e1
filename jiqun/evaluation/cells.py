"""A snapshot cell: one subject's value of one criterion (or of one eligibility threshold in one year), with where
it comes from, as a run stores it.

Snapshot format 1 stored every cell as a dict under its subject's "values": `value` (exact decimal text, or None
with `missing`), `period`, `quarter`, the `sources` it was read from ({report, revision, indicator} each), and
`note`, `registry` … as the cell's kind has them. A national run is 15,000 cells, nearly all of them a complete
1-12月 total. Format 2 stored such a total as a list, `[value, [report, revision, indicator], …]`: the same value
text and the same sources in the same order, the period implied (the 1-12月 of the snapshot's year, or of the
threshold's year the cell is kept under). Every other cell (missing, an earlier period, a registry count, a quality
score) is a dict as before.

Format 3 (cluster runs since 2026-12) keeps a criterion's cells as one column, `columns[code]`, in the subjects'
order, instead of under each subject: `values[i]` is the i-th subject's complete 1-12月 total as its value text, or
any other cell as a dict (or a format-2 list) as before. A total's sources are the column's `indicators`, the same
for every total of the column (the indicator itself, or a ratio's parts), each with the report revision it cites:
`sources[p][i]` is the position in the snapshot's `revisions`, a table of [report, revision], of the revision that
set the i-th value's part p (None where `values[i]` is not a total). Each value keeps its own report and revision,
as after a correction a report's values can come from different revisions; what is no longer repeated 15,000
times is the dict or list around each value, the indicator's code and the report's number, so a national snapshot
is a fifth of format 2's JSON and a few hundred containers instead of 30,000. Eligibility thresholds keep their
cells under each subject, as in format 2.

Code reads a cell through `subject_cell` (the explanation, the Excel sheet) and a column's values through
`snapshot_column` (the engine's input): the same answers for each format, so runs stored in formats 1 and 2 load,
explain and rerun as they did.
"""

from typing import Any

FORMAT = 3  # the snapshot format `snapshot_collect` writes; a snapshot without "format" is format 1


def period_label(year: int, quarter: int) -> str:
    return f"{year}年1-{quarter * 3}月"


def cell_value(cell: dict | list) -> str | None:
    """A format-1 or format-2 cell's value as exact decimal text, or None when it is missing."""
    return cell[0] if type(cell) is list else cell["value"]


def cell_dict(cell: dict | list, year: int) -> dict[str, Any]:
    """A format-1 or format-2 cell as format 1 stores it: `year` is the year it is the figure of (a list cell's
    1-12月)."""
    if type(cell) is not list:
        return cell
    return {"value": cell[0], "period": period_label(year, 4), "quarter": 4,
            "sources": [{"report": report, "revision": revision, "indicator": indicator}
                        for report, revision, indicator in cell[1:]]}


def snapshot_column(snapshot: dict, code: str) -> list[str | None]:
    """Each subject's value of criterion `code` as exact decimal text (None where it is missing), in the subjects'
    order."""
    columns = snapshot.get("columns")
    if columns is None:  # formats 1 and 2: the cells are kept under each subject
        return [cell_value(subject["values"][code]) for subject in snapshot["subjects"]]
    values = columns[code]["values"]
    if set(map(type, values)) <= {str}:  # every cell a complete total: the column is its values
        return list(values)
    return [value if type(value) is str else cell_value(value) for value in values]


def subject_cell(snapshot: dict, i: int, code: str) -> dict[str, Any]:
    """The cell of criterion `code` of the snapshot's `i`-th subject, as format 1 stores it."""
    year = snapshot["year"]
    columns = snapshot.get("columns")
    if columns is None:
        return cell_dict(snapshot["subjects"][i]["values"][code], year)
    column = columns[code]
    value = column["values"][i]
    if type(value) is not str:
        return cell_dict(value, year)
    revisions = snapshot["revisions"]
    return {"value": value, "period": period_label(year, 4), "quarter": 4,
            "sources": [{"report": revisions[cited[i]][0], "revision": revisions[cited[i]][1], "indicator": indicator}
                        for indicator, cited in zip(column["indicators"], column["sources"], strict=True)]}
