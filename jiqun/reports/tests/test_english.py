"""English UI, English reports (issue 15): every report kind made in English has no Chinese left but the names
the database holds (clusters, regions, enterprises, indicators and their units, programmes, targets, schemes,
rounds, chains, projects, responsible units, the reasons a published run recorded for its consequences) and,
until ReportingPeriod words itself in English, period labels.
The Word files and the workbook are read back; a PDF is checked in the HTML it is laid out from (the same
template and context, without spending a PDF render per kind); the charts' own texts (drawn into the PNG)
in the builder's Chart objects. The pages, the API and the command line pass the user's language on.

Needs the English catalogue entries of /tmp/j/rcharts-po.json (applied by the lead with the catalogue)."""

import html
import io
import re
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.utils import translation
from docx import Document
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.conftest import client_for, token_client
from jiqun.reports import builders, pdf
from jiqun.reports.docx import render_evaluation, render_notice, render_quarterly
from jiqun.reports.tests.test_notice import _demo_call, _publish
from jiqun.reports.tests.test_pdf import _jining_cluster, _published_run
from jiqun.reports.tests.test_reports import JINING, JN, SD, _approved_period, _params
from jiqun.reports.xlsx import render_half_year

pytestmark = pytest.mark.django_db

# Han characters and the full-width punctuation that only Chinese text uses (，。：；（）“” and the like).
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _database_names() -> list[str]:
    """Every text the database holds for what the reports name, longest first (so a name is stripped whole)."""
    from jiqun.chains.models import Chain, Segment
    from jiqun.clusters.models import Cluster
    from jiqun.enterprises.models import Enterprise
    from jiqun.evaluation.models import Run, Scheme, SchemeItem
    from jiqun.monitoring.models import ReportingPeriod
    from jiqun.programmes.models import ClusterKind, Indicator, Programme, Target
    from jiqun.projects.models import Constraint, Project
    from jiqun.recognition.models import Call
    from jiqun.regions.models import Region

    names: set[str] = set()
    for model in (Chain, Segment, Cluster, ClusterKind, Enterprise, Scheme, SchemeItem, Indicator, Programme, Target,
                  Constraint, Project, Call, Region):
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)
                  and not f.choices]
        for row in model.objects.values_list(*fields):
            names.update(str(value) for value in row if value)
    # What publishing a run did, kept with the run as it was worded then (jiqun.evaluation.services).
    for consequences in Run.objects.values_list("consequences", flat=True):
        names.update(c.get("reason") or "" for c in consequences or [])
    # Period labels: ReportingPeriod words itself (another change makes it translatable); until then they stay.
    names.update(str(period) for period in ReportingPeriod.objects.select_related("programme"))
    names.update(value for value in (settings.JIQUN_HALFYEAR_FORM_NUMBER, settings.JIQUN_HALFYEAR_FORM_AUTHORITY)
                 if value)
    return sorted((n for n in names if CHINESE.search(n)), key=len, reverse=True)


def _left(text: str, names: list[str]) -> list[str]:
    """The lines of `text` that still hold Chinese once the database's names are taken out."""
    for name in names:
        text = text.replace(name, "")
    return [line for line in text.splitlines() if CHINESE.search(line)]


def _docx(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.footer.paragraphs]
    return "\n".join(parts)


def _html(template: str, context: dict) -> str:
    """The text of a PDF report's HTML: tags out, the CSS-drawn profile colon aside (it follows the lang)."""
    page = pdf.html(template, context)
    assert '<html lang="en">' in page
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "\n", page))


def _chart_texts(charts) -> str:
    return "\n".join(text for item in charts for text in (
        item.caption, item.source, item.chart.title, *(s.name for s in item.chart.series), *item.chart.categories))


def test_every_report_kind_in_english_keeps_only_the_databases_names():
    jining, sheng = User.objects.get(username="jining"), User.objects.get(username="sheng")
    quarter = _approved_period(JN)
    half = _approved_period(SD, quarter=2)
    run = _published_run(sheng)
    call = _publish(_demo_call())
    texts: dict[str, str] = {}
    with translation.override("en"):
        data = builders.quarterly(jining, builders.parse(jining, _params(quarter)))
        assert data.charts, "the quarterly analysis has charts"
        texts["quarterly.docx"] = _docx(render_quarterly(data))
        texts["quarterly.pdf"] = _html(pdf.QUARTERLY, pdf.quarterly_context(data))
        texts["quarterly charts"] = _chart_texts(data.charts)
        cluster = _jining_cluster()
        data = builders.quarterly(jining, builders.parse(jining, _params(quarter, cluster=cluster.code)))
        texts["quarterly.docx of a cluster"] = _docx(render_quarterly(data)) + "\n" + _chart_texts(data.charts)
        book = CalamineWorkbook.from_filelike(io.BytesIO(render_half_year(
            builders.half_year(sheng, builders.parse(sheng, _params(half), half_year=True)))))
        texts["halfyear.xlsx"] = "\n".join(
            f"{name}\n" + "\n".join(str(cell) for row in book.get_sheet_by_name(name).to_python() for cell in row)
            for name in book.sheet_names)
        data = builders.evaluation(sheng, run)
        texts["evaluation.docx"] = _docx(render_evaluation(data))
        texts["evaluation.pdf"] = _html(pdf.EVALUATION, pdf.evaluation_context(data))
        data = builders.cluster_onepager(jining, cluster)
        texts["cluster.pdf"] = _html(pdf.CLUSTER, pdf.cluster_context(data)) + "\n" + data.chart.title + "\n" + \
            "\n".join(s.name for s in data.chart.series)
        texts["notice.docx"] = _docx(render_notice(builders.notice(sheng, call)))
    names = _database_names()
    left = {kind: lines for kind, text in texts.items() if (lines := _left(text, names))}
    assert not left, left
    # And they are the English reports, not empty ones.
    assert "Figure 1. " in texts["quarterly.docx"] and "Figure 2. " in texts["quarterly.docx"]
    assert "Source: " in texts["quarterly.docx"] and "Demo data" in texts["quarterly.docx"]
    assert "Form no.: " in texts["halfyear.xlsx"] and "Issued by: " in texts["halfyear.xlsx"]
    for kind in ("evaluation.docx", "evaluation.pdf", "notice.docx", "cluster.pdf"):
        assert re.search(r"[A-Za-z]{4,} [a-z]{2,}", texts[kind]), kind


def test_pages_the_api_and_the_command_make_the_users_language(tmp_path):
    period = _approved_period(JN)
    jining = User.objects.get(username="jining")
    english = "Figure 1. "
    client = client_for(jining)
    assert english not in _docx(client.get("/reports/quarterly.docx", _params(period)).content)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    assert english in _docx(client.get("/reports/quarterly.docx", _params(period)).content)
    api = token_client(jining)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert english in _docx(api.get("/api/v1/reports/quarterly", _params(period, region=JINING)).content)
    out = tmp_path / "q.docx"
    call_command("report", "quarterly", "--programme", JN, "--year", str(period.year), "--quarter",
                 str(period.quarter), "--user", "jining", "--language", "en", "-o", str(out), stdout=StringIO())
    assert english in _docx(out.read_bytes())
    call_command("report", "quarterly", "--programme", JN, "--year", str(period.year), "--quarter",
                 str(period.quarter), "--user", "jining", "-o", str(out), stdout=StringIO())
    assert "图1" in _docx(out.read_bytes())
    with pytest.raises(CommandError, match="--language"):
        call_command("report", "quarterly", "--programme", JN, "--year", str(period.year), "--quarter",
                     str(period.quarter), "--user", "jining", "--language", "fr", "-o", str(out))
