"""Reports that go up the hierarchy: the quarterly analysis (Word) and the half-yearly summary (Excel), read back
and checked figure by figure against the approved-figures selector; scoping; English; bad parameters; the CLI
and the API."""

import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from docx import Document
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for, token_client
from jiqun.core.templatetags.jiqun import num
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import ReportingPeriod
from jiqun.programmes.models import Indicator, Programme
from jiqun.projects.models import Constraint, Dispatch
from jiqun.reports import builders
from jiqun.reports.builders import SEVEN, BadParameters, NotFound
from jiqun.reports.services import report_produce

pytestmark = pytest.mark.django_db

JN, SD = "JN-2020-231", "SD-2023-185"
JINING = "370800"


def _approved_period(code: str, quarter: int | None = None) -> ReportingPeriod:
    """The latest period of the programme whose figures the province approved (the demo's latest is mid-way)."""
    programme = Programme.objects.get(code=code)
    figures = ApprovedFigures(programme)
    region = figures.region("370000")
    periods = ReportingPeriod.objects.filter(programme=programme).order_by("-year", "-quarter")
    for period in periods:
        if quarter and period.quarter != quarter:
            continue
        total = figures.total(region, "revenue", period.year, period.quarter)
        if total is not None and total.complete:
            return period
    raise AssertionError("the demo has no approved period")


def _params(period: ReportingPeriod, **extra) -> dict:
    return {"programme": period.programme.code, "year": str(period.year), "quarter": str(period.quarter), **extra}


def _docx_text(content: bytes) -> tuple[str, list[list[list[str]]]]:
    document = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return text, tables


def test_quarterly_figures_equal_the_approved_figures_of_the_city():
    period = _approved_period(JN)
    user = User.objects.get(username="jining")
    produced = report_produce(actor=user, kind="quarterly", params=_params(period))
    text, tables = _docx_text(produced.content)
    figures = ApprovedFigures(period.programme)
    label = f"{period.year}年1-{period.quarter * 3}月"
    assert f"济宁市{label}产业集群发展情况分析" in text and "数据来源：省级审核通过的季报" in text
    assert "演示数据" in text
    headline = {row[0]: row for row in tables[0][1:]}
    checked = 0
    for indicator in Indicator.objects.filter(code__in=builders.HEADLINE, periods=period):
        total = figures.total(figures.region(JINING), indicator.code, period.year, period.quarter)
        expected = num(total.current if total is not None and total.complete else None, indicator.precision)
        assert headline[indicator.name][2] == expected, indicator.code
        checked += expected != "—"
    assert checked >= 3
    # The per-cluster table: every cluster of the city, each figure the selector's.
    revenue = Indicator.objects.get(code="revenue")
    clusters = {c.name: c for c in Cluster.objects.filter(programme=period.programme, regions__code__startswith="3708")}
    rows = {row[0]: row for row in tables[1][1:]}
    assert set(rows) == set(clusters)
    for name, cluster in clusters.items():
        total = figures.total(figures.cluster(cluster.pk), "revenue", period.year, period.quarter)
        assert rows[name][1] == num(total.current if total.complete else None, revenue.precision)
    # The download is recorded.
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_repr__contains="季度分析报告").exists()


def test_quarterly_document_layout_fonts_header_rows_and_page_numbers():
    period = _approved_period(JN)
    content = report_produce(actor=User.objects.get(username="jining"), kind="quarterly",
                             params=_params(period)).content
    document = Document(io.BytesIO(content))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    xml = document.element.xml
    assert 'w:eastAsia="方正小标宋简体"' in xml and 'w:eastAsia="仿宋_GB2312"' in xml
    assert all("w:tblHeader" in table.rows[0]._tr.xml for table in document.tables)
    assert "PAGE" in section.footer._element.xml
    fonts = next(r.target_part for r in document.part.rels.values() if r.reltype.endswith("/fontTable")).blob
    assert b"Noto Serif CJK SC" in fonts


def test_projects_and_constraints_of_the_open_period():
    period = ReportingPeriod.objects.filter(programme__code=JN, dispatches__isnull=False).order_by("-year", "-quarter")[0]
    user = User.objects.get(username="jining")
    text, tables = _docx_text(report_produce(actor=user, kind="quarterly", params=_params(period)).content)
    dispatched = Dispatch.objects.for_user(user).filter(period=period, project__region__code__startswith="3708").count()
    assert dispatched and f"本期调度项目 {dispatched} 个。" in text
    open_ = Constraint.objects.for_user(user).filter(status="open", project__region__code__startswith="3708").count()
    assert sum(int(row[1]) for row in tables[-1][1:]) == open_ and tables[-1][0] == ["责任单位", "待解决"]


def test_cluster_report_and_scoping():
    period = _approved_period(JN)
    jining, jinan = User.objects.get(username="jining"), User.objects.get(username="jinan")
    cluster = Cluster.objects.filter(programme=period.programme, regions__code__startswith="3708").first()
    text, tables = _docx_text(report_produce(actor=jining, kind="quarterly",
                                             params=_params(period, cluster=cluster.code)).content)
    assert cluster.name in text and [row[0] for row in tables[1][1:]] == [cluster.name]
    with pytest.raises(NotFound):  # another city's officer: not in scope
        builders.parse(jinan, _params(period, cluster=cluster.code))
    with pytest.raises(NotFound):
        builders.parse(jinan, _params(period, region=JINING))
    for persona in ("jiqun_org", "xitong", "qiye"):  # a cluster organisation: its cluster, never a region's totals
        with pytest.raises(NotFound):
            builders.parse(User.objects.get(username=persona), _params(period))
    # The pages answer 404 outside the scope and the file inside it.
    assert client_for(jinan).get("/reports/quarterly.docx", _params(period, region=JINING)).status_code == 404
    response = client_for(jining).get("/reports/quarterly.docx", _params(period, cluster=cluster.code))
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")


def test_half_year_summary_reads_back_the_seven_indicators():
    period = _approved_period(SD, quarter=2) if ReportingPeriod.objects.filter(
        programme__code=SD, quarter=2).exists() else None
    assert period is not None
    sheng = User.objects.get(username="sheng")
    response = client_for(sheng).get("/reports/halfyear.xlsx", _params(period))
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names[1] == "填报说明"
    rows = book.get_sheet_by_index(0).to_python()
    header = "\n".join(str(cell) for row in rows[:5] for cell in row)
    assert "表号" in header and "制定机关" in header and f"报告期：{period.year}年1-6月" in header and "计量单位" in header
    indicators = builders._indicators(period, SEVEN)
    assert [rows[5][1 + 2 * i] for i in range(len(indicators))] == [i.name for i in indicators]
    figures = ApprovedFigures(period.programme)
    names = {c.name: c for c in Cluster.objects.filter(programme=period.programme)}
    checked = 0
    for row in rows[7:]:
        subject = figures.cluster(names[row[0]].pk) if row[0] in names else figures.region("370000")
        for i, indicator in enumerate(indicators):
            total = figures.total(subject, indicator.code, period.year, period.quarter)
            if total is None or not total.complete:
                assert row[1 + 2 * i] == "—"
                continue
            assert Decimal(str(row[1 + 2 * i])) == pytest.approx(total.current, abs=Decimal("0.005"))
            assert round(float(total.current), indicator.precision) == pytest.approx(row[1 + 2 * i])
            checked += 1
    assert checked >= 7 and rows[-1][0].startswith("合计")


def test_english_headings():
    period = _approved_period(JN)
    with translation.override("en"):
        text, tables = _docx_text(report_produce(actor=User.objects.get(username="jining"), kind="quarterly",
                                                 params=_params(period)).content)
    # The headings already in the English catalogue (the report's own sentences reach it when the lead merges).
    assert tables[0][0][:2] == ["Indicator", "Unit of measurement"] and tables[0][0][3:] == [
        "Same period last year", "Year on year"]
    assert "Demo data" in text


@pytest.mark.parametrize(("params", "name"), [
    ({}, "programme"),
    ({"programme": "NOPE", "year": "2026", "quarter": "2"}, "programme"),
    ({"programme": JN, "year": "20x6", "quarter": "2"}, "year"),
    ({"programme": JN, "year": "2026", "quarter": "5"}, "quarter"),
    ({"programme": JN, "year": "1999", "quarter": "2"}, "year"),
    ({"programme": JN, "year": "2026", "quarter": "2", "region": "abc"}, "region"),
    ({"programme": JN, "year": "2026", "quarter": "2", "region": JINING, "cluster": "x"}, "cluster"),
    ({"programme": "JN\x00", "year": "2026", "quarter": "2"}, "programme"),
    ({"programme": JN, "year": "2026", "quarter": "2", "cluster": "a\u202eb"}, "cluster"),
    ({"programme": JN, "year": "2026", "quarter": "1" * 30}, "quarter"),
])
def test_bad_parameters_are_named(params, name):
    user = User.objects.get(username="jining")
    with pytest.raises(BadParameters) as caught:
        builders.parse(user, params)
    assert name in caught.value.errors
    response = client_for(user).get("/reports/quarterly.docx", params)
    assert response.status_code == 400 and name in response.content.decode()


def test_half_year_only_for_second_and_fourth_quarter():
    period = _approved_period(JN)
    user = User.objects.get(username="jining")
    before = AuditEvent.objects.count()
    response = client_for(user).get("/reports/halfyear.xlsx", {**_params(period), "quarter": "3"})
    assert response.status_code == 400 and "半年报汇总表只有 1-6月" in response.content.decode()
    assert AuditEvent.objects.count() == before


def test_cli_writes_the_files_and_names_bad_arguments(tmp_path):
    period = _approved_period(JN)
    out = tmp_path / "q.docx"
    call_command("report", "quarterly", "--programme", JN, "--year", str(period.year), "--quarter",
                 str(period.quarter), "--user", "jining", "-o", str(out), stdout=StringIO())
    assert "济宁市" in _docx_text(out.read_bytes())[0]
    with pytest.raises(CommandError, match="--quarter"):
        call_command("report", "halfyear", "--programme", JN, "--year", str(period.year), "--quarter", "3",
                     "--user", "jining", "-o", str(tmp_path / "h.xlsx"))
    with pytest.raises(CommandError, match="可见范围之外"):
        call_command("report", "quarterly", "--programme", JN, "--year", str(period.year), "--quarter",
                     str(period.quarter), "--region", JINING, "--user", "jinan", "-o", str(out))
    with pytest.raises(CommandError, match="--user"):
        call_command("report", "quarterly", "--programme", JN, "--year", "2026", "--quarter", "2",
                     "--user", "nobody", "-o", str(out))


def test_cli_refuses_huge_numbers_and_unwritable_files_before_auditing_an_export(tmp_path):
    period = _approved_period(JN)
    args = ["report", "quarterly", "--programme", JN, "--quarter", str(period.quarter), "--user", "jining"]
    before = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="--year"):
        call_command(*args, "--year", "3" * 5000, "-o", str(tmp_path / "q.docx"))
    (tmp_path / "d.docx").mkdir()
    with pytest.raises(CommandError, match="不是文件"):
        call_command(*args, "--year", str(period.year), "-o", str(tmp_path / "d.docx"))
    for run in ("9" * 5000, "１"):
        with pytest.raises(CommandError, match="--run"):
            call_command("report", "evaluation", "--run", run, "--user", "jining", "-o", str(tmp_path / "e.docx"))
    assert AuditEvent.objects.count() == before


def test_pages_answer_huge_numbers_with_the_message_not_a_server_error():
    period = _approved_period(JN)
    client = client_for(User.objects.get(username="jining"))
    for name in ("year", "quarter"):
        for url in ("/reports/quarterly.docx", "/reports/halfyear.xlsx"):
            response = client.get(url, {**_params(period), name: "3" * 5000})
            assert response.status_code == 400 and name in response.content.decode(), (url, name)

def test_api_returns_the_files_in_scope():
    period = _approved_period(JN)
    jining, jinan = User.objects.get(username="jining"), User.objects.get(username="jinan")
    response = token_client(jining).get("/api/v1/reports/quarterly", _params(period))
    assert response.status_code == 200, response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].endswith("wordprocessingml.document")
    assert token_client(jinan).get("/api/v1/reports/quarterly", _params(period, region=JINING)).status_code == 404
    bad = token_client(jining).get("/api/v1/reports/halfyear", {**_params(period), "quarter": "3"})
    assert bad.status_code == 400 and "quarter" in bad.json()["errors"]


def test_period_page_offers_the_downloads_of_the_users_region():
    period = _approved_period(SD, quarter=2)
    page = client_for(User.objects.get(username="jining")).get(f"/monitoring/periods/{period.pk}/").content.decode()
    assert "季度分析报告（Word）" in page and "半年报汇总表（Excel）" in page and "/reports/halfyear.xlsx?" in page
    third = ReportingPeriod.objects.filter(programme=period.programme, quarter=3).first()
    page = client_for(User.objects.get(username="jining")).get(f"/monitoring/periods/{third.pk}/").content.decode()
    assert "季度分析报告（Word）" in page and "半年报汇总表（Excel）" not in page
    page = client_for(User.objects.get(username="jiqun_org")).get(f"/monitoring/periods/{period.pk}/").content.decode()
    assert "季度分析报告（Word）" not in page


def test_evaluation_report_of_a_published_run():
    from jiqun.evaluation.models import Run, RunStatus
    from jiqun.evaluation.selectors import rows_for

    sheng = User.objects.get(username="sheng")
    run = Run.objects.filter(status=RunStatus.PUBLISHED, scheme__subject_kind="cluster").first()
    if run is None:  # the demo's run may be a draft: publish it here (rolled back)
        from jiqun.evaluation.services import evaluation_run_publish

        run = evaluation_run_publish(actor=sheng, run=Run.objects.filter(scheme__subject_kind="cluster").first())
    response = client_for(sheng).get(f"/reports/evaluation/{run.pk}.docx")
    assert response.status_code == 200
    text, tables = _docx_text(response.content)
    assert f"{run.year}年度评价报告" in text and "评价方法" in text
    ranked = {row[1]: row for row in tables[0][1:]}
    for row in rows_for(sheng, run):
        assert ranked[row.subject_name][2] == num(row.score, 2) and ranked[row.subject_name][3] == (row.grade or "—")
    assert token_client(sheng).get(f"/api/v1/reports/evaluation/{run.pk}").status_code == 200
    with pytest.raises(BadParameters):
        builders.evaluation_run(sheng, {"run": "x1"})
    with pytest.raises(NotFound):
        builders.evaluation_run(sheng, {"run": str(2**40)})


def test_half_year_form_header_is_the_settings(settings, monkeypatch):
    import runpy
    from pathlib import Path

    from jiqun.reports.xlsx import render_half_year

    period = _approved_period(SD, quarter=2)
    sheng = User.objects.get(username="sheng")

    def header() -> list[str]:
        data = builders.half_year(sheng, builders.parse(sheng, _params(period), half_year=True))
        rows = CalamineWorkbook.from_filelike(io.BytesIO(render_half_year(data))).get_sheet_by_index(0).to_python()
        return [str(rows[1][0]), str(rows[2][0])]

    # Not set: no 表号 yet (written in by hand), the programme's 发文机关 else 省工业和信息化厅.
    settings.JIQUN_HALFYEAR_FORM_NUMBER, settings.JIQUN_HALFYEAR_FORM_AUTHORITY = "", ""
    assert header() == ["表号：", f"制定机关：{period.programme.issuer or '省工业和信息化厅'}"]
    settings.JIQUN_HALFYEAR_FORM_NUMBER, settings.JIQUN_HALFYEAR_FORM_AUTHORITY = "鲁工信统1表", "山东省工业和信息化厅"
    assert header() == ["表号：鲁工信统1表", "制定机关：山东省工业和信息化厅"]
    # The settings read the environment (jiqun/config/env.py), stripped; unset, they are empty.
    path = Path(__file__).resolve().parents[2] / "config" / "settings.py"
    monkeypatch.delenv("JIQUN_HALFYEAR_FORM_NUMBER", raising=False)
    monkeypatch.delenv("JIQUN_HALFYEAR_FORM_AUTHORITY", raising=False)
    read = runpy.run_path(str(path))
    assert (read["JIQUN_HALFYEAR_FORM_NUMBER"], read["JIQUN_HALFYEAR_FORM_AUTHORITY"]) == ("", "")
    monkeypatch.setenv("JIQUN_HALFYEAR_FORM_NUMBER", " 鲁工信统2表 ")
    monkeypatch.setenv("JIQUN_HALFYEAR_FORM_AUTHORITY", "山东省工业和信息化厅")
    read = runpy.run_path(str(path))
    assert (read["JIQUN_HALFYEAR_FORM_NUMBER"], read["JIQUN_HALFYEAR_FORM_AUTHORITY"]) == ("鲁工信统2表", "山东省工业和信息化厅")
