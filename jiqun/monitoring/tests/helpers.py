"""Periods, filled reports and workbooks for the monitoring tests."""

import datetime
import io
from decimal import Decimal

import xlsxwriter
from python_calamine import CalamineWorkbook

from jiqun.clusters.tests.factories import make_cluster
from jiqun.monitoring.excel import DATA_SHEET, FIRST_DATA_ROW
from jiqun.monitoring.models import Report, ReportRevision
from jiqun.monitoring.services import period_open
from jiqun.monitoring.values import Value, revision_changes, values_of
from jiqun.programmes.models import Indicator, Programme

SEVEN = ["employees", "new_enterprises", "profit", "rd_expenditure", "researchers", "revenue", "tech_platforms"]

GOOD = {  # a plausible cluster, 万元 / 人 / 个
    "revenue": ("5200000", "4800000"), "profit": ("310000", "290000"), "new_enterprises": ("12", "10"),
    "employees": ("86000", "84000"), "researchers": ("9100", "8800"), "rd_expenditure": ("156000", "140000"),
    "tech_platforms": ("45", "41"),
}


def open_test_period(year: int = 2025, quarter: int = 2, programme_code: str = "TEST-MON", clusters=None):
    """A fresh programme with its own clusters, so the tests never depend on the demo's periods."""
    programme, _ = Programme.objects.get_or_create(
        code=programme_code, defaults={"name": "测试监测工程", "document_title": "测试", "source_file": "x",
                                       "scope": "province", "period_start": 2024, "period_end": 2026, "pack_hash": "x"},
    )
    if clusters is None and not programme.clusters.exists():
        for codes, name in ((("370811",), "任城测试集群"), (("370102",), "历下测试集群")):
            cluster = make_cluster(*codes, name=name)
            cluster.programme = programme
            cluster.save()
    return period_open(actor=None, programme=programme, year=year, quarter=quarter,
                       deadline=datetime.date(year, quarter * 3, 28),
                       indicators=Indicator.objects.filter(code__in=SEVEN))


def report_of(period, name: str) -> Report:
    return period.reports.get(cluster__name=name)


def values(pairs: dict[str, tuple[str, str]]) -> dict[str, dict]:
    return {code: {"current": Decimal(c), "previous": Decimal(p)} for code, (c, p) in pairs.items()}


def read_sheet(content: bytes, name: str = DATA_SHEET) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()


def fill_template(template: bytes, rows: dict[str, dict[int, object]]) -> bytes:
    """Rewrite a template (all sheets, values only) with some cells changed: {key: {column: value}}.

    Like a user's re-save: the meta sheet survives, formulas become plain values or stay as given.
    """
    book_in = CalamineWorkbook.from_filelike(io.BytesIO(template))
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    for name in book_in.sheet_names:
        data = book_in.get_sheet_by_name(name).to_python()
        sheet = book.add_worksheet(name)
        for r, row in enumerate(data):
            key = str(row[0]) if row else ""
            changes = rows.get(key, {}) if r >= FIRST_DATA_ROW else {}
            for c in range(max(len(row), max(changes, default=-1) + 1)):
                value = changes.get(c, row[c] if c < len(row) else None)
                if isinstance(value, str) and value.startswith("="):
                    sheet.write_formula(r, c, value, None, 0)
                elif value not in (None, ""):
                    sheet.write(r, c, value)
        if name.startswith("_"):
            sheet.hide()
    book.close()
    return output.getvalue()


def column_of(code: str, field: str, indicators) -> int:
    """0-based column of an indicator's field in the template."""
    index = [i.code for i in indicators].index(code)
    return 3 + index * 3 + (0 if field == "current" else 1)


def stored(report: Report, code: str) -> Value | None:
    """The figure stored for one indicator of a report, read afresh from the database."""
    return values_of(Report.objects.get(pk=report.pk).figures).get(code)


def provenance_of(report: Report, code: str) -> str:
    """Where a stored figure came from: the provenance of the revision that set it."""
    value = stored(report, code)
    return ReportRevision.objects.get(report=report, number=value.revision).provenance


def history_of(report: Report, code: str) -> list[Decimal | None]:
    """Every 本期累计 one indicator of a report was given, oldest first."""
    changes = revision_changes(ReportRevision.objects.filter(report=report))
    return [change.after.current for number in sorted(changes) for change in changes[number] if change.code == code]


def period_figures(period) -> dict[int, dict]:
    """Every report's stored figures in a period, by report id, leaving out the reports with none."""
    return {pk: figures for pk, figures in Report.objects.filter(period=period).with_figures().values_list(
        "pk", "latest_figures") if figures}


def county():
    """The county officer of 任城 (rencheng): fills and submits 任城测试集群's report, so that the city reviews it
    (whoever filled or submitted a report never approves it)."""
    from jiqun.accounts.models import User

    return User.objects.get(username="rencheng")
