"""The recognition round's result notice (认定结果公示, Word) and the quarterly analysis as PDF: read back
(python-docx, pdftotext) and compared with the recognition applications and ApprovedFigures; a round not yet
published is refused; the notice is the province's (anyone else: 404); the page button, the period page's
PDF link, the API and the CLI. One PDF render."""

import datetime
import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from docx import Document

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.conftest import client_for, token_client
from jiqun.core.templatetags.jiqun import num
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.programmes.models import Indicator
from jiqun.recognition.demo import TITLE
from jiqun.recognition.models import Application, Assignment, Call
from jiqun.reports import builders
from jiqun.reports.builders import BadParameters, NotFound
from jiqun.reports.services import report_produce
from jiqun.reports.tests.test_pdf import _save, _text
from jiqun.reports.tests.test_reports import JINING, JN, _approved_period, _params

pytestmark = pytest.mark.django_db


def _demo_call() -> Call:
    return Call.objects.get(title=TITLE)


def _publish(call: Call) -> Call:
    """Score what is still unscored and publish the demo round (rolled back with the test)."""
    from jiqun.recognition.services import call_publicise, scores_submit
    from jiqun.recognition.tests.conftest import scores

    zhuanjia = User.objects.get(username="zhuanjia")
    for assignment in Assignment.objects.filter(application__call=call, submitted_at__isnull=True):
        actor = zhuanjia if assignment.expert.user_id == zhuanjia.pk else None
        scores_submit(actor=actor, assignment=assignment, base_version=assignment.version, scores=scores(70))
    return call_publicise(actor=User.objects.get(username="sheng"), call=call,
                          objection_until=timezone.localdate() + datetime.timedelta(days=7))


def _docx(content: bytes) -> tuple[str, list[list[list[str]]]]:
    document = Document(io.BytesIO(content))
    return ("\n".join(p.text for p in document.paragraphs),
            [[[c.text for c in row.cells] for row in table.rows] for table in document.tables])


def test_notice_lists_the_recognised_clusters_in_rank_order_with_their_scores():
    sheng = User.objects.get(username="sheng")
    call = _publish(_demo_call())
    produced = report_produce(actor=sheng, kind="notice", params={"call": str(call.pk)})
    assert produced.filename.endswith(".docx")
    text, tables = _docx(produced.content)
    assert f"关于{call.title}" in text and "结果的公示" in text
    until = call.objection_until
    assert f"{until.year}年{until.month}月{until.day}日" in text and f"名额 {call.quota} 个" in text
    assert call.get_tier_sought_display() in text and (call.programme.issuer or "省工业和信息化厅") in text
    selected = list(Application.objects.filter(call=call, selected=True).select_related("cluster").order_by("rank"))
    assert len(selected) == call.quota
    assert tables[0][0] == ["序号", "集群名称", "所在区划", "集群促进机构", "综合得分"]
    assert [(r[0], r[1], r[4]) for r in tables[0][1:]] == [
        (str(a.rank), a.cluster.name, num(a.final_score, 2)) for a in selected]
    assert [r[3] for r in tables[0][1:]] == [a.cluster.promotion_org or "—" for a in selected]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_repr__contains="认定结果公示").exists()
    # The page, its button, the API and the CLI make the same file.
    client = client_for(sheng)
    assert f"/reports/notice/{call.pk}.docx" in client.get(f"/recognition/{call.pk}/").content.decode()
    response = client.get(f"/reports/notice/{call.pk}.docx")
    assert response.status_code == 200 and _docx(response.content)[1] == tables
    api = token_client(sheng).get(f"/api/v1/reports/notice/{call.pk}")
    assert api.status_code == 200 and _docx(api.content)[1] == tables


def test_notice_of_a_round_not_yet_published_is_refused_with_a_message(tmp_path):
    sheng = User.objects.get(username="sheng")
    call = _demo_call()
    assert call.status == "review"
    with pytest.raises(BadParameters) as exc:
        report_produce(actor=sheng, kind="notice", params={"call": str(call.pk)})
    assert "评审中" in exc.value.errors["call"] and "公示" in exc.value.errors["call"]
    response = client_for(sheng).get(f"/reports/notice/{call.pk}.docx")
    assert response.status_code == 400 and "结果公示（公示中）后才能生成公示名单" in response.content.decode()
    assert "/reports/notice/" not in client_for(sheng).get(f"/recognition/{call.pk}/").content.decode()
    with pytest.raises(BadParameters):
        report_produce(actor=sheng, kind="notice", params={"call": "x1"})
    with pytest.raises(CommandError, match="--call"):
        call_command("report", "notice", "--call", str(call.pk), "--user", "sheng", "-o", str(tmp_path / "n.docx"))
    with pytest.raises(CommandError, match=r"\.docx"):
        call_command("report", "notice", "--call", str(call.pk), "--user", "sheng", "-o", str(tmp_path / "n.pdf"))
    assert not AuditEvent.objects.filter(object_repr__contains="认定结果公示").exists()


def test_notice_is_the_provinces_and_a_city_officer_gets_404(tmp_path):
    call = _publish(_demo_call())
    for name in ("jining", "jinan", "lingdao", "jiqun_org", "zhuanjia"):
        user = User.objects.get(username=name)
        with pytest.raises(NotFound):
            builders.notice_call(user, {"call": str(call.pk)})
        assert client_for(user).get(f"/reports/notice/{call.pk}.docx").status_code == 404
    jining = User.objects.get(username="jining")
    assert "/reports/notice/" not in client_for(jining).get(f"/recognition/{call.pk}/").content.decode()
    assert token_client(jining).get(f"/api/v1/reports/notice/{call.pk}").status_code == 404
    assert client_for(User.objects.get(username="sheng")).get("/reports/notice/999999999.docx").status_code == 404
    out = tmp_path / "notice.docx"
    call_command("report", "notice", "--call", str(call.pk), "--user", "sheng", "-o", str(out), stdout=StringIO())
    assert "结果的公示" in _docx(out.read_bytes())[0]


def test_quarterly_pdf_headline_figures_equal_the_approved_figures(tmp_path, monkeypatch):
    period = _approved_period(JN)
    jining = User.objects.get(username="jining")
    produced = report_produce(actor=jining, kind="quarterly", params={**_params(period), "format": "pdf"})
    assert produced.content_type == "application/pdf" and produced.filename.endswith(".pdf")
    text = _text(_save(produced.content, tmp_path, "quarterly"))
    label = f"{period.year}年1-{period.quarter * 3}月"
    assert f"济宁市{label}产业集群发展情况分析" in text and "六、数据来源" in text
    # The charts (test_charts checks their numbers): each embedded once, with its caption and source line.
    from jiqun.reports.tests.test_pdf import _run

    data = builders.quarterly(jining, builders.parse(jining, _params(period)))
    images = [line.split() for line in _run("pdfimages", "-list", str(tmp_path / "quarterly.pdf")).splitlines()[2:]]
    assert [row[2] for row in images].count("image") == len(data.charts) == 2
    flat = text.replace(" ", "")
    for item in data.charts:
        assert item.caption.replace(" ", "").replace("\u3000", "") in flat.replace("\u3000", "")
        assert item.source.replace(" ", "")[:20] in flat
    figures = ApprovedFigures(period.programme)
    lines = {line.split()[0]: line.split() for line in text.splitlines() if line.split()}
    checked = 0
    for indicator in Indicator.objects.filter(code__in=builders.HEADLINE, periods=period):
        total = figures.total(figures.region(JINING), indicator.code, period.year, period.quarter)
        expected = num(total.current if total is not None and total.complete else None, indicator.precision)
        row = lines.get(indicator.name)
        assert row is not None and expected in row, (indicator.code, row)
        checked += expected != "—"
    assert checked >= 3
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_repr__contains="季度分析报告 PDF").exists()
    # The page, the API and the CLI reach the same renderer (stubbed: one PDF render per file).
    from jiqun.reports import pdf

    monkeypatch.setattr(pdf, "render_quarterly_pdf", lambda data: b"%PDF-stub " + data.title.encode())
    client = client_for(jining)
    response = client.get("/reports/quarterly.pdf", _params(period))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get("/reports/quarterly.pdf", _params(period, year="20x6")).status_code == 400
    assert client.get("/reports/quarterly.docx", {**_params(period), "format": "pdf"}).content.startswith(b"PK")
    api = token_client(jining).get("/api/v1/reports/quarterly", {**_params(period), "format": "pdf"})
    assert api.status_code == 200 and api.content.startswith(b"%PDF-stub")
    assert token_client(jining).get("/api/v1/reports/quarterly", {**_params(period), "format": "odt"}).status_code == 400
    out = tmp_path / "q.pdf"
    call_command("report", "quarterly", "--programme", JN, "--year", str(period.year), "--quarter",
                 str(period.quarter), "--user", "jining", "-o", str(out), stdout=StringIO())
    assert out.read_bytes().startswith(b"%PDF-stub")
    page = client.get(f"/monitoring/periods/{period.pk}/").content.decode()
    assert "季度分析报告（Word）" in page and "/reports/quarterly.pdf?" in page and "（PDF）" in page
