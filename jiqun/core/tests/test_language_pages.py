"""The English UI has no Chinese left but the data: labels built in code (periods, 综合表, target texts) and
full-width punctuation follow the language, while what is stored or read back stays Chinese.

A page is checked after removing what the database holds (names of regions, clusters, programmes, indicators,
enterprises, units, quotations of documents…): whatever Chinese is left was written by the code.
"""

import io
import re
import unicodedata

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client
from django.utils import translation
from python_calamine import CalamineWorkbook

from jiqun.audit.models import AuditEvent
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster
from jiqun.monitoring.excel import FIRST_DATA_ROW, PERIOD_CELL
from jiqun.monitoring.models import Report, ReportingPeriod, official_period_name, period_name
from jiqun.monitoring.tests.helpers import GOOD, fill_template, period_figures, read_sheet
from jiqun.monitoring.tests.region_helpers import (
    JINING,
    REGION_CODES,
    REGION_GOOD,
    cluster_report,
    open_city_period,
    region_report,
)
from jiqun.monitoring.tests.test_region_import_api import cells, template, upload
from jiqun.programmes.text import display_text

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]+")
SCRIPT = re.compile(r"<script.*?</script>", re.S)
# The switcher names each language in itself: 简体中文 is meant to stay.
SWITCHER_OPTION = re.compile(r'<option value="zh-hans"[^>]*>简体中文</option>')
# Tables whose text is not data shown as names: sessions, the audit trail, accounts' machinery.
NOT_DATA = {"admin", "audit", "auth", "contenttypes", "django_otp", "otp_static", "otp_totp", "sessions"}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def stored_text() -> str:
    """Every Chinese text the database holds, also as the pages print it, NFKC-folded (full-width digits…)."""
    found = set()
    for model in apps.get_models():
        if model._meta.app_label in NOT_DATA:
            continue
        fields = [f.name for f in model._meta.concrete_fields
                  if isinstance(f, models.CharField | models.TextField | models.JSONField)]
        for row in model.objects.values_list(*fields) if fields else []:
            for text in _strings(list(row)):
                if CHINESE.search(text):
                    found.update((text, display_text(text)))
    return unicodedata.normalize("NFKC", "\n".join(found))


def code_written_chinese(html: str, stored: str) -> list[str]:
    """The Chinese runs of a page that no stored text contains (a list of names joined by 、 counts as names)."""
    html = SWITCHER_OPTION.sub("", SCRIPT.sub("", html))
    left = []
    for run in CHINESE.findall(html):
        pieces = [p for p in run.split("、") if p]
        if not all(unicodedata.normalize("NFKC", p) in stored for p in pieces):
            left.append(run)
    return left


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- period labels ------------------------------------------------------------------------------------


def test_a_period_names_itself_in_chinese_unchanged():
    period = ReportingPeriod(year=2026, quarter=2)
    assert str(period) == "2026年1-6月" == period_name(2026, 2) == official_period_name(2026, 2)
    assert period.months == "1-6月"
    assert str(ReportingPeriod(year=2025, quarter=4)) == "2025年1-12月"
    with_programme = ReportingPeriod.objects.select_related("programme").filter(year=2026, quarter=3).first()
    assert with_programme.label == f"{with_programme.programme.name} 2026年1-9月"


def test_a_period_names_itself_in_english():
    with translation.override("en"):
        assert [period_name(2026, q) for q in (1, 2, 3, 4)] == [
            "Jan–Mar 2026", "Jan–Jun 2026", "Jan–Sep 2026", "Jan–Dec 2026"]
        period = ReportingPeriod.objects.select_related("programme").filter(year=2026, quarter=3).first()
        assert str(period) == "Jan–Sep 2026" and period.months == "Jan–Sep"
        assert period.label == f"{period.programme.name} Jan–Sep 2026"
        # What official templates print and audit entries keep does not follow the UI.
        assert period.official_name == "2026年1-9月" and period.official_label.endswith(" 2026年1-9月")


def test_a_region_summary_sheet_is_named_in_the_ui_language_but_not_in_the_template():
    report = Report.objects.select_related("region").filter(region__isnull=False).first()
    assert report.subject_name == report.official_subject_name == f"{report.region.name}综合表"
    with translation.override("en"):
        assert report.subject_name == f"{report.region.name} summary sheet"
        assert report.official_subject_name == f"{report.region.name}综合表"


def test_an_audit_entry_reads_the_same_whatever_the_ui_language(province_admin):
    period = ReportingPeriod.objects.filter(year=2026, quarter=3).first()
    with translation.override("en"):
        event = audit_record(actor=province_admin, action="export", obj=period)
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "2026年1-9月"


def test_the_template_downloaded_in_english_is_the_chinese_one_and_imports(as_jining):
    period = open_city_period()
    chinese = template(as_jining, period)
    content = template(english(as_jining), period)
    sheets = lambda book: {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}  # noqa: E731
    assert sheets(CalamineWorkbook.from_filelike(io.BytesIO(content))) == sheets(
        CalamineWorkbook.from_filelike(io.BytesIO(chinese)))
    rows = read_sheet(content)
    assert rows[PERIOD_CELL[0]][PERIOD_CELL[1]] == "报告期：2025年1-6月"
    assert [row[:3] for row in rows[FIRST_DATA_ROW:] if row[0] == JINING] == [[JINING, "济宁市综合表", "济宁市"]]

    filled = fill_template(content, {JINING: cells(REGION_GOOD, period),
                                     cluster_report(period).cluster.code: cells(GOOD, period)})
    upload(as_jining, period, filled)
    figures = period_figures(period)
    assert set(figures[region_report(period).pk]) == set(REGION_CODES)
    assert set(figures[cluster_report(period).pk]) == set(GOOD)


# --- pages ----------------------------------------------------------------------------------------------


def test_the_main_pages_in_english_show_no_chinese_but_the_data(as_province):
    english(as_province)
    period = ReportingPeriod.objects.filter(reports__isnull=False, status="open").order_by("-year", "-quarter").first()
    cluster = Cluster.objects.filter(reports__period=period).order_by("pk").first()
    pages = ["/", "/dashboards/", f"/dashboards/regions/{JINING}/", "/dashboards/compare/",
             f"/monitoring/periods/{period.pk}/", "/targets/", f"/targets/programme/{period.programme.code}/",
             f"/clusters/{cluster.pk}/"]
    stored = stored_text()
    left = {}
    for url in pages:
        response = as_province.get(url)
        assert response.status_code == 200 and response["Content-Language"] == "en", url
        if found := code_written_chinese(response.content.decode(), stored):
            left[url] = found
    assert left == {}


def test_the_check_finds_chinese_written_by_the_code():
    stored = unicodedata.normalize("NFKC", "济宁市\n医药产业集群\n规模以上企业达到７０家")
    page = "<p>济宁市、医药产业集群 规模以上企业达到70家</p><p>Deadline：Oct. 25 目标年已过</p>"
    assert code_written_chinese(page, stored) == ["：", "目标年已过"]
