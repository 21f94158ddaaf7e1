"""The data-quality score as a scheme indicator: read from the reports (jiqun.monitoring.quality_selectors)
with its parts' reasons as provenance, so that reporting discipline counts; computed by hand."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiqun.accounts.models import User
from jiqun.evaluation.cells import subject_cell
from jiqun.evaluation.inputs import snapshot_collect
from jiqun.evaluation.packs import SchemePackError, scheme_parse_text
from jiqun.evaluation.selectors import explanation
from jiqun.evaluation.services import evaluation_run_create, scheme_install
from jiqun.monitoring.models import ReportEvent
from jiqun.monitoring.services import (
    report_approve_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import GOOD, open_test_period, report_of, values
from jiqun.programmes.packs import indicator_catalogue, reported_parts

pytestmark = pytest.mark.django_db

WITH_QUALITY = """
code: with-quality
version: 1
name: 含数据质量的评价
programme: TEST-MON
weight_method: fixed
normalisation: max
aggregation: weighted_sum
grades: {优秀: 85, 良好: 70, 合格: 60}
missing_rule: excluded
items:
  - {dimension: 规模, indicator: revenue, weight: 0.5, clause: 一}
  - {dimension: 数据质量, indicator: data_quality, weight: 0.5, clause: 二}
"""


def _approved(period, name: str, filler, officer, province_admin):
    report = report_of(period, name)
    report_values_save(actor=filler, report=report, values=values(GOOD), check_permission=filler is not None)
    # Submitted by its filler (or the province's statistics clerk): a submitter never approves.
    report_submit(actor=filler or User.objects.get(username="sheng_tj"), report=report)
    report_approve_city(actor=officer, report=report)
    report_approve_province(actor=province_admin, report=report)
    return report


@pytest.fixture
def reports(jining_officer, jinan_officer, province_admin):
    """Both clusters report the same figures and are approved; 任城 submitted by the deadline, 历下 after it."""
    period = open_test_period()
    rencheng = _approved(period, "任城测试集群", User.objects.get(username="rencheng"), jining_officer, province_admin)
    lixia = _approved(period, "历下测试集群", None, jinan_officer, province_admin)
    on_time = timezone.make_aware(datetime.datetime(2025, 6, 20, 10))
    ReportEvent.objects.filter(report=rencheng, action="submit").update(at=on_time)
    return period, rencheng, lixia


def test_a_late_report_scores_lower_on_the_quality_item(reports, province_admin, as_province) -> None:
    period, rencheng, lixia = reports
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(WITH_QUALITY, "quality.yaml"))
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    assert [c["source"] for c in run.snapshot["criteria"]] == ["statistics", "quality"]
    cells = {s["cluster"]: subject_cell(run.snapshot, i, "data_quality") for i, s in enumerate(run.snapshot["subjects"])}
    # 任城: (1 complete + 1 on time + 1 no warning + 1 no correction) / 4 = 100.0
    # 历下: (1 + 0 late + 1 + 1) / 4 = 75.0
    assert cells[rencheng.cluster_id]["value"] == "100.0" and cells[lixia.cluster_id]["value"] == "75.0"
    assert cells[lixia.cluster_id]["note"].startswith("数据质量：完整性") and "逾期" in cells[lixia.cluster_id]["note"]
    assert "及时性" in cells[rencheng.cluster_id]["note"]
    rows = {r.cluster_id: r for r in run.rows.all()}
    # max normalisation: revenue 1 for both; quality 100/100 = 1 and 75/100 = 0.75
    # 任城 0.5×1 + 0.5×1 = 100; 历下 0.5×1 + 0.5×0.75 = 87.5
    assert Decimal(str(rows[rencheng.cluster_id].score)) == Decimal("100")
    assert Decimal(str(rows[lixia.cluster_id].score)) == Decimal("87.5")
    assert rows[rencheng.cluster_id].rank == 1 and rows[lixia.cluster_id].rank == 2
    line = next(x for x in explanation(run, rows[lixia.cluster_id]).lines if x.code == "data_quality")
    assert line.raw == Decimal("75.0") and line.unit == "分" and "逾期" in line.note

    again = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    assert again.snapshot == run.snapshot and again.result == run.result

    page = as_province.get(f"/evaluation/runs/{run.pk}/explain/?cluster={lixia.cluster_id}").content.decode()
    assert "数据质量得分" in page and "75.0" in page and "逾期" in page


def test_a_cluster_without_reports_is_missing_under_the_schemes_rule(reports, province_admin) -> None:
    period, rencheng, lixia = reports
    text = WITH_QUALITY.replace("missing_rule: excluded", "missing_rule: zero")
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(text, "quality.yaml"))
    lixia.delete()
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    cell = {s["cluster"]: subject_cell(run.snapshot, i, "data_quality")
            for i, s in enumerate(run.snapshot["subjects"])}[lixia.cluster_id]
    assert cell == {"value": None, "missing": "2025年没有可评分的集群报表"}


def test_the_quality_indicator_is_neither_reported_nor_counted_from_a_registry() -> None:
    catalogue = indicator_catalogue()
    assert catalogue["data_quality"].unit == "分" and reported_parts("data_quality", catalogue) == []


def test_a_quality_item_with_parameters_is_refused_naming_the_entry() -> None:
    open_test_period()
    text = WITH_QUALITY.replace("indicator: data_quality,", "indicator: data_quality, params: {level: national},")
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(text, "quality.yaml")
    assert caught.value.problems == [("第2项指标", "“数据质量得分”由报表的数据质量算出，不带参数")]


def test_a_quality_threshold_keeps_a_careless_cluster_out(reports, province_admin) -> None:
    period, rencheng, lixia = reports
    text = WITH_QUALITY.replace("missing_rule: excluded", "missing_rule: excluded\neligibility:\n"
                                "  - {indicator: data_quality, min: 80, clause: 三}")
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(text, "quality.yaml"))
    assert scheme.eligibility[0]["source"] == "quality"
    subjects = {s["cluster"]: s for s in snapshot_collect(scheme, 2025)["subjects"]}
    assert subjects[lixia.cluster_id]["eligibility"]["0"]["value"] == "75.0"  # below 80: 历下 is not scored
    with pytest.raises(ValidationError, match="参评集群不足 2 个"):
        evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
