"""Filling the project-library template as a user would: read every sheet, change some cells, save again."""

import datetime
import io

import xlsxwriter
from python_calamine import CalamineWorkbook

from jiqun.projects import excel as X


def read_rows(content: bytes) -> list[dict]:
    """The data rows of a project workbook as {column key: value}, dates as dates and numbers as floats."""
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(X.DATA_SHEET).to_python(
        skip_empty_area=False)
    rows = []
    for cells in sheet[X.FIRST_DATA_ROW:]:
        if not any(v not in (None, "") for v in cells):
            continue
        row = {c.key: (cells[i] if i < len(cells) else "") for i, c in enumerate(X.COLUMNS)}
        rows.append({k: (v.date() if isinstance(v, datetime.datetime) else v) for k, v in row.items()})
    return rows


def fill(template: bytes, *, change: dict[str, dict[str, object]] | None = None,
         add: list[dict[str, object]] | None = None, drop_others: bool = False) -> bytes:
    """The template again with rows changed ({项目编号: {key: value}}) and rows added below; other sheets as they were.

    With `drop_others`, only the changed and added rows are kept (a city's own smaller spreadsheet)."""
    change, add = change or {}, add or []
    book_in = CalamineWorkbook.from_filelike(io.BytesIO(template))
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})

    def put(sheet, r: int, c: int, value) -> None:
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), dates)
        elif isinstance(value, datetime.datetime):
            sheet.write_datetime(r, c, value, dates)
        elif value not in (None, ""):
            sheet.write(r, c, value)

    for name in book_in.sheet_names:
        data = book_in.get_sheet_by_name(name).to_python(skip_empty_area=False)
        sheet = book.add_worksheet(name)
        out = 0
        for r, row in enumerate(data):
            if name == X.DATA_SHEET and r >= X.FIRST_DATA_ROW:
                code = str(row[0]) if row else ""
                if drop_others and code not in change:
                    continue
                values = {c.key: (row[i] if i < len(row) else None) for i, c in enumerate(X.COLUMNS)}
                values.update(change.get(code, {}))
                for c, column in enumerate(X.COLUMNS):
                    put(sheet, out, c, values.get(column.key))
            else:
                for c, value in enumerate(row):
                    put(sheet, out, c, value)
            out += 1
        if name == X.DATA_SHEET:
            for values in add:
                for c, column in enumerate(X.COLUMNS):
                    put(sheet, out, c, values.get(column.key))
                out += 1
        if name.startswith("_"):
            sheet.hide()
    book.close()
    return output.getvalue()
