"""Plain CSV files in and aligned text tables out, for the engine's command line.

A table file has the column names (criteria, regions, …) in its first row and the row names
(alternatives, industries, …) in its first column. Files saved by Excel carry a UTF-8 byte-order mark or
are in GBK; both are read. Every error names the file, the line, the row and the column.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from jiqun.scoring.errors import ScoringInputError


@dataclass(frozen=True)
class Table:
    """The cells of a CSV table as text, with their names and line numbers."""

    path: str
    columns: tuple[str, ...]
    rows: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]


def _error(path: str, message: str, message_zh: str) -> ScoringInputError:
    return ScoringInputError(f"{path}: {message} / {message_zh}")


def _decode(path: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK, the encoding of Chinese Excel
    except UnicodeDecodeError:
        raise _error(
            path, "the file is neither UTF-8 nor GBK text", "文件编码既不是 UTF-8 也不是 GBK"
        ) from None


def _unique(path: str, names: Sequence[str], what: str, what_zh: str) -> None:
    seen: set[str] = set()
    for name in names:
        if not name:
            raise _error(path, f"a {what} name is empty", f"{what_zh}名称为空")
        if name in seen:
            raise _error(path, f"{what} {name!r} appears twice", f"{what_zh} {name!r} 重复")
        seen.add(name)


def read_table(path: str | Path) -> Table:
    """Read a CSV table; raise ScoringInputError on a missing, empty or ragged file."""
    name = str(path)
    file = Path(path)
    if file.is_dir():
        raise _error(name, "is a directory, not a CSV file", "这是文件夹，不是 CSV 文件")
    if not file.is_file():
        raise _error(name, "file not found", "文件不存在")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise _error(name, f"cannot read the file ({exc.strerror})", "无法读取文件") from None
    reader = csv.reader(io.StringIO(_decode(name, data), newline=""))
    try:
        header, rows, lines = _records(name, reader)
    except csv.Error as exc:
        raise _error(
            name, f"line {reader.line_num} is not valid CSV ({exc})", f"第 {reader.line_num} 行不是有效的 CSV"
        ) from None
    columns = tuple(header[1:])
    row_names = tuple(r[0] for r in rows)
    _unique(name, columns, "column", "列")
    _unique(name, row_names, "row", "行")
    return Table(name, columns, row_names, tuple(r[1:] for r in rows), tuple(lines))


def _records(name: str, reader: Any) -> tuple[list[str], list[tuple[str, ...]], list[int]]:
    """Return the header, the data rows and their line numbers, skipping blank lines."""
    header: list[str] | None = None
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    for record in reader:
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue
        if header is None:
            while cells and not cells[-1]:
                cells.pop()  # Excel may save empty trailing columns
            header = cells
            if len(header) < 2:
                raise _error(
                    name, "the first row needs a corner cell and at least one column name", "首行须包含列名"
                )
            continue
        while len(cells) > len(header) and not cells[-1]:
            cells.pop()
        if len(cells) != len(header):
            raise _error(
                name,
                f"line {reader.line_num} has {len(cells)} cells but the header has {len(header)}",
                f"第 {reader.line_num} 行有 {len(cells)} 个单元格，表头有 {len(header)} 个",
            )
        rows.append(tuple(cells))
        lines.append(reader.line_num)
    if header is None:
        raise _error(name, "the file is empty", "文件为空")
    if not rows:
        raise _error(name, "the file has a header but no data rows", "文件只有表头，没有数据行")
    return header, rows, lines


def _number(text: str, fractions: bool) -> float:
    if fractions and "/" in text:
        return float(Fraction(text.replace(" ", "")))
    return float(text)


def numbers(table: Table, *, fractions: bool = False, blanks: bool = False) -> np.ndarray:
    """Return the cells as floats; fractions such as '1/3' when `fractions`, empty cells as NaN when `blanks`."""
    out = np.empty((len(table.rows), len(table.columns)), dtype=np.float64)
    for i, row in enumerate(table.cells):
        for j, text in enumerate(row):
            where = f"row {table.rows[i]!r}, column {table.columns[j]!r} (line {table.lines[i]})"
            if not text:
                if blanks:
                    out[i, j] = np.nan
                    continue
                raise _error(table.path, f"{where}: the cell is empty", f"第 {table.lines[i]} 行单元格为空")
            try:
                value = _number(text, fractions)
            except (ValueError, ZeroDivisionError):
                value = np.nan
            if not np.isfinite(value):
                raise _error(
                    table.path,
                    f"{where}: {text!r} is not a number",
                    f"第 {table.lines[i]} 行 {text!r} 不是数值",
                )
            out[i, j] = value
    return out


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    """Return rows as aligned text columns (Chinese characters count double width)."""
    widths = [max(_width(str(r[k])) for r in [headers, *rows]) for k in range(len(headers))]
    lines = []
    for row in [headers, *rows]:
        cells = []
        for text, width, align_right in zip(row, widths, right, strict=True):
            pad = " " * (width - _width(str(text)))
            cells.append(pad + str(text) if align_right else str(text) + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
