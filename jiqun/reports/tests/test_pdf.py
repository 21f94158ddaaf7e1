"""The PDF reports (the annual evaluation report and the cluster one-pager), read back with poppler-utils
(pdftotext, pdfinfo, pdffonts, pdfimages; Makefile DEBS) and checked figure by figure against the approved-figures
selector and the run's rows; fonts (Noto CJK embedded, every character of the title in the font); A4; page 1
as PNG in test-results/; scoping; English; bad parameters; the pages, the API and the CLI.

Four tests render a PDF (one each); the others replace the renderer by a stub."""

import re
import shutil
import subprocess
import warnings
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from fontTools.ttLib import TTFont

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for, token_client
from jiqun.core.templatetags.jiqun import num
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.programmes.models import Indicator
from jiqun.reports import builders, pdf
from jiqun.reports.builders import BadParameters, NotFound
from jiqun.reports.services import report_produce

pytestmark = pytest.mark.django_db

JN = "JN-2020-231"
RESULTS = Path(__file__).resolve().parents[3] / "test-results"
LABEL = re.compile(r"(\d{4})年1-(\d{1,2})月")
CJK = re.compile(r"[\u3400-\u9fff]")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is missing: install poppler-utils (make system-deps, Makefile DEBS)")
    return found


def _run(*args: str) -> str:
    return subprocess.run([_tool(args[0]), *args[1:]], capture_output=True, check=True, timeout=60).stdout.decode()


def _save(content: bytes, tmp_path: Path, name: str) -> Path:
    assert content.startswith(b"%PDF-")
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    return path


def _text(path: Path) -> str:
    text = _run("pdftotext", "-layout", "-enc", "UTF-8", str(path), "-")
    assert "\ufffd" not in text and CJK.search(text)
    return text


def _info(path: Path) -> dict[str, str]:
    return dict(line.split(":", 1) for line in _run("pdfinfo", str(path)).splitlines() if ":" in line)


def _check_fonts_and_page(path: Path, title: str, name: str) -> None:
    """A4; only embedded fonts, a Noto CJK among them (the fall-back of the CSS font lists); every CJK character
    of the title has a glyph in the title's font; page 1 as PNG for a reviewer."""
    assert "A4" in _info(path)["Page size"]
    rows = [line.split() for line in _run("pdffonts", str(path)).splitlines()[2:]]
    assert rows and all(row[-5] == "yes" for row in rows), rows  # the "emb" column
    names = [row[0].split("+", 1)[-1] for row in rows]
    assert any("Noto" in n and "CJK" in n for n in names), names
    # The title is set in the first installed face of the CSS list; on Debian that is Noto Serif CJK SC Bold.
    if any("Serif-CJK-SC-Bold" in n for n in names):
        match = _run("fc-match", "-f", "%{file}\n%{index}", "Noto Serif CJK SC:bold").split("\n")
        font = TTFont(match[0], fontNumber=int(match[1] or 0), lazy=True)
        cmap = font.getBestCmap()
        missing = [c for c in title if CJK.match(c) and ord(c) not in cmap]
        assert not missing, missing
    if shutil.which("pdftoppm"):
        RESULTS.mkdir(exist_ok=True)
        _run("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(path), str(RESULTS / name))
        assert (RESULTS / f"{name}.png").stat().st_size > 1000
    else:
        warnings.warn("pdftoppm (poppler-utils) is not installed: page 1 of the PDF not written to test-results/",
                      stacklevel=2)


def _published_run(sheng):
    from jiqun.evaluation.models import Run, RunStatus

    run = Run.objects.filter(status=RunStatus.PUBLISHED, scheme__subject_kind="cluster").first()
    if run is None:  # the demo's run may be a draft: publish it here (rolled back)
        from jiqun.evaluation.services import evaluation_run_publish

        run = evaluation_run_publish(actor=sheng, run=Run.objects.filter(scheme__subject_kind="cluster").first())
    return run


def _jining_cluster() -> Cluster:
    """A cluster of Jining whose figures the province approved (the demo's 医药产业集群)."""
    jining = User.objects.get(username="jining")
    clusters = Cluster.objects.for_user(jining).filter(programme__code=JN, regions__code__startswith="3708")
    return clusters.filter(code="pharma").first() or clusters.order_by("code").first()


def _block(text: str, start: str, end: str) -> list[str]:
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip().startswith(start))
    last = next((i for i in range(first + 1, len(lines)) if lines[i].strip().startswith(end)), len(lines))
    return lines[first + 1:last]


def test_evaluation_pdf_figures_are_the_runs_rows(tmp_path):
    from jiqun.evaluation.selectors import rows_for

    sheng = User.objects.get(username="sheng")
    run = _published_run(sheng)
    response = client_for(sheng).get(f"/reports/evaluation/{run.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert ".pdf" in response["Content-Disposition"]
    path = _save(response.content, tmp_path, "evaluation")
    text = _text(path)
    data = builders.evaluation(sheng, run)
    assert data.title in text.replace(" ", "").replace("\n", "") or data.title[:10] in text
    assert "一、评价方法" in text and "演示数据" in text
    ranking = _block(text, "排名", "三、")
    checked = 0
    for row in rows_for(sheng, run):
        if row.position is None:
            continue
        line = next(line for line in ranking if row.subject_name in line)
        assert num(row.score, 2) in line and (row.grade or "—") in line, (row.subject_name, line)
        checked += 1
    assert checked >= 3
    if int(_info(path)["Pages"]) > 1:  # a table running onto the next page repeats its header row
        second = _run("pdftotext", "-layout", "-f", "2", "-l", "2", str(path), "-")
        assert "排名" in second or "三、分维度得分率" in second or "四、" in second
    _check_fonts_and_page(path, data.title, "pdf-evaluation")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_repr__contains="年度评价报告",
                                     object_repr__endswith="PDF").exists()


def test_cluster_onepager_figures_equal_the_approved_figures(tmp_path):
    jining = User.objects.get(username="jining")
    cluster = _jining_cluster()
    response = client_for(jining).get(f"/reports/cluster/{cluster.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = _save(response.content, tmp_path, "onepager")
    assert _info(path)["Pages"].strip() == "1"  # one page
    images = [line.split() for line in _run("pdfimages", "-list", str(path)).splitlines()[2:]]
    assert [row[2] for row in images].count("image") == 1  # the chart, embedded
    text = _text(path)
    assert cluster.name in text and "集群一页纸" in text and "演示数据" in text
    # The latest period with complete figures: no later period has a complete 主营业务收入.
    figures = ApprovedFigures(cluster.programme)
    subject = figures.cluster(cluster.pk)
    year, months = (int(g) for g in LABEL.search(text).groups())
    latest = figures.total(subject, "revenue", year, months // 3)
    assert latest is not None and latest.complete
    later = [(y, q) for y, q in cluster.programme.periods.values_list("year", "quarter") if (y, q) > (year, months // 3)]
    assert not any((t := figures.total(subject, "revenue", y, q)) is not None and t.complete for y, q in later)
    table = _block(text, "指标", "目标")
    checked = 0
    for indicator in Indicator.objects.filter(code__in=builders.HEADLINE):
        total = figures.total(subject, indicator.code, year, months // 3)
        if total is None:
            continue
        line = next(line for line in table if line.strip().startswith(indicator.name + " "))
        assert num(total.current if total.complete else None, indicator.precision) in line, line
        assert num(total.previous if total.complete else None, indicator.precision) in line, line
        checked += 1
    assert checked >= 3
    # The chart's numbers are the builder's (the cluster page's first trend), each the approved figure.
    data = builders.cluster_onepager(jining, cluster)
    for label, value in zip(data.chart.categories, data.chart.series[0].values, strict=True):
        y, m = (int(g) for g in LABEL.search(label).groups())
        total = figures.total(subject, "revenue", y, m // 3)
        expected = total.current if total is not None and total.complete else None
        assert value == (None if expected is None else expected.quantize(value)), label
    for target in data.targets:
        assert target.status in text
    for project in data.projects:
        assert project.investment in text
    _check_fonts_and_page(path, cluster.name, "pdf-cluster-onepager")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_repr__contains="集群一页纸").exists()


def test_english_headings_of_the_onepager(tmp_path):
    jining = User.objects.get(username="jining")
    with translation.override("en"):
        data = builders.cluster_onepager(jining, _jining_cluster())
        text = _text(_save(pdf.render_cluster_pdf(data), tmp_path, "en"))
    # The headings already in the English catalogue (the one-pager's own sentences reach it when the lead merges).
    for heading in ("Demo data", "Profile", "Indicator", "Same period last year", "Year on year", "Targets",
                    "Industry chain", "Project"):
        assert heading in text, heading


def test_cli_writes_the_onepager(tmp_path):
    cluster = _jining_cluster()
    out = tmp_path / "一页纸.pdf"
    call_command("report", "cluster", "--cluster", cluster.code, "--programme", JN, "--user", "jining", "-o", str(out),
                 stdout=StringIO())
    assert cluster.name in _text(out)


def test_scoping_bad_parameters_api_cli_and_buttons(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf, "render_cluster_pdf", lambda data: b"%PDF-1.7 one-pager")
    monkeypatch.setattr(pdf, "render_evaluation_pdf", lambda data: b"%PDF-1.7 evaluation")
    jining, jinan, sheng = (User.objects.get(username=n) for n in ("jining", "jinan", "sheng"))
    api_jining, api_jinan, api_sheng = token_client(jining), token_client(jinan), token_client(sheng)
    cluster = _jining_cluster()
    # Another city's cluster does not exist for Jinan: page, API and CLI.
    assert client_for(jinan).get(f"/reports/cluster/{cluster.pk}.pdf").status_code == 404
    assert api_jinan.get(f"/api/v1/reports/cluster/{cluster.pk}").status_code == 404
    with pytest.raises(CommandError, match="可见范围之外"):
        call_command("report", "cluster", "--cluster", cluster.code, "--user", "jinan", "-o", str(tmp_path / "x.pdf"))
    for persona in ("xitong", "qiye"):
        with pytest.raises(NotFound):
            builders.onepager_cluster(User.objects.get(username=persona), {"cluster_id": str(cluster.pk)})
    response = api_jining.get(f"/api/v1/reports/cluster/{cluster.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    # Bad parameters are named, in Chinese, and nothing is recorded.
    before = AuditEvent.objects.count()
    for params, name in (({}, "cluster"), ({"cluster_id": "x"}, "cluster_id"), ({"cluster_id": "0"}, "cluster_id"),
                         ({"cluster": "a\u202eb"}, "cluster")):
        with pytest.raises(BadParameters) as caught:
            builders.onepager_cluster(jining, params)
        assert name in caught.value.errors and CJK.search(caught.value.errors[name])
    run = _published_run(sheng)
    bad = api_sheng.get(f"/api/v1/reports/evaluation/{run.pk}", {"format": "odt"})
    assert bad.status_code == 400 and "format" in bad.json()["errors"]
    with pytest.raises(BadParameters, match="format"):
        report_produce(actor=sheng, kind="evaluation", params={"run": str(run.pk), "format": "html"})
    with pytest.raises(CommandError, match="--format"):
        call_command("report", "evaluation", "--run", str(run.pk), "--format", "odt", "--user", "sheng",
                     "-o", str(tmp_path / "e.pdf"))
    with pytest.raises(CommandError, match="-o"):
        call_command("report", "evaluation", "--run", str(run.pk), "--format", "pdf", "--user", "sheng",
                     "-o", str(tmp_path / "e.docx"))
    with pytest.raises(CommandError, match="-o"):
        call_command("report", "cluster", "--cluster", cluster.code, "--user", "jining", "-o", str(tmp_path / "c.docx"))
    with pytest.raises(CommandError, match="--cluster"):
        call_command("report", "cluster", "--user", "jining", "-o", str(tmp_path / "c.pdf"))
    assert AuditEvent.objects.count() == before
    # The evaluation report as PDF: by the -o suffix (CLI), format=pdf (API).
    call_command("report", "evaluation", "--run", str(run.pk), "--user", "sheng", "-o", str(tmp_path / "e.pdf"),
                 stdout=StringIO())
    assert (tmp_path / "e.pdf").read_bytes() == b"%PDF-1.7 evaluation"
    response = api_sheng.get(f"/api/v1/reports/evaluation/{run.pk}", {"format": "pdf"})
    assert response.status_code == 200 and response.content == b"%PDF-1.7 evaluation"
    # Nothing is fetched but the app's own static files and data: URIs.
    fetcher = pdf.LocalFetcher()
    for url in ("http://example.com/a.css", "https://fonts.example.com/a.woff2", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    # The buttons.
    page = client_for(jining).get(f"/clusters/{cluster.pk}/").content.decode()
    assert 'id="cluster-onepager"' in page and f"/reports/cluster/{cluster.pk}.pdf" in page
    page = client_for(sheng).get(f"/evaluation/runs/{run.pk}/").content.decode()
    assert 'id="evaluation-report-pdf"' in page and f"/reports/evaluation/{run.pk}.pdf" in page


def test_a_readers_evaluation_report_says_how_many_of_the_runs_subjects_it_shows():
    from jiqun.evaluation.models import Run, RunStatus
    from jiqun.evaluation.selectors import rows_for

    for run in Run.objects.filter(status=RunStatus.PUBLISHED):
        for name in ("jinan", "jining"):
            reader = User.objects.get(username=name)
            seen, total = len(rows_for(reader, run)), run.rows.count()
            data = builders.evaluation(reader, run)
            if seen < total:
                assert f"您可查看其中 {seen} 个" in data.scope_note and f"（共 {total} 个）" in data.scope_note
                return
            assert data.scope_note == ""
    pytest.fail("the demo has no published run a city sees only part of")
