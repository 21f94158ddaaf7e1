"""Data quality per reporting unit, computed by hand: a report submitted late, an unexplained warning, a
correction after approval; the rule (pure), the gathering of its facts, the page, the Excel and the indicator."""

import datetime
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.conftest import client_for
from jiqun.monitoring.quality import ReportFacts, combined_quality, report_quality
from jiqun.monitoring.quality_selectors import quality_scores, report_facts
from jiqun.monitoring.services import (
    correction_decide,
    correction_request_create,
    report_approve_city,
    report_approve_province,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.tests.helpers import GOOD, county, open_test_period, report_of, values

D = datetime.date


def facts(**changes) -> ReportFacts:
    base = dict(asked=14, filled=14, missing=(), deadline=D(2025, 6, 28), submitted_on=D(2025, 6, 20),
                warnings=(), unexplained=(), corrections=0)
    return ReportFacts(**{**base, **changes})


# --- the rule, by hand ------------------------------------------------------------------------------

def test_a_clean_report_on_time_scores_100() -> None:
    quality = report_quality(facts(), as_of=D(2025, 7, 1))
    assert quality.score == Decimal("100.0")
    assert "按时" in quality.parts["timeliness"].reason


def test_late_one_of_two_warnings_unexplained_and_one_correction() -> None:
    quality = report_quality(facts(submitted_on=D(2025, 7, 2), warnings=("同比增长 120%", "单位疑误"),
                                   unexplained=("同比增长 120%",), corrections=1), as_of=D(2025, 8, 1))
    parts = {name: part.value for name, part in quality.parts.items()}
    assert parts == {"completeness": 1, "timeliness": 0, "explained": Decimal("0.5"), "corrections": Decimal("0.75")}
    assert quality.score == Decimal("56.3")  # (1 + 0 + 0.5 + 0.75) / 4 = 56.25%, rounded half up
    assert "逾期 4 天" in quality.parts["timeliness"].reason
    assert "未说明：同比增长 120%" in quality.parts["explained"].reason


def test_a_report_not_yet_due_is_scored_on_the_other_three_parts() -> None:
    quality = report_quality(facts(submitted_on=None, filled=7, missing=("营业收入",)), as_of=D(2025, 6, 1))
    assert quality.parts["timeliness"].value is None
    assert quality.score == Decimal("83.3")  # (0.5 + 1 + 1) / 3
    late = report_quality(facts(submitted_on=None, filled=7), as_of=D(2025, 6, 29))
    assert late.parts["timeliness"].value == 0 and late.score == Decimal("62.5")


def test_corrections_never_take_the_part_below_zero() -> None:
    assert report_quality(facts(corrections=5), D(2025, 7, 1)).parts["corrections"].value == 0


def test_a_year_is_the_mean_of_its_reports_parts() -> None:
    on_time = report_quality(facts(), D(2025, 12, 31))
    late = report_quality(facts(submitted_on=D(2025, 7, 2), corrections=1), D(2025, 12, 31))
    year = combined_quality([on_time, late])
    assert year.parts["timeliness"].value == Decimal("0.5")
    assert year.parts["corrections"].value == Decimal("0.875")
    assert year.score == Decimal("84.4")  # (1 + 0.5 + 1 + 0.875) / 4 = 84.375%


# --- gathered from real reports ----------------------------------------------------------------------

@pytest.fixture
def reports(db, jining_officer, province_admin):
    """任城: filled, submitted after the deadline, approved, corrected once; 历下: one value missing, one
    unexplained warning, never submitted."""
    period = open_test_period()
    rencheng = report_of(period, "任城测试集群")
    report_values_save(actor=User.objects.get(username="rencheng"), report=rencheng, values=values(GOOD))
    report_submit(actor=county(), report=rencheng)
    report_approve_city(actor=jining_officer, report=rencheng)
    report_approve_province(actor=province_admin, report=rencheng)
    rencheng.refresh_from_db()
    correction = correction_request_create(actor=jining_officer, report=rencheng,
                                           changes={"revenue": {"current": "5300000"}}, reason="漏报一家企业")
    correction_decide(actor=province_admin, correction=correction, approve=True, comment="同意")
    lixia = report_of(period, "历下测试集群")
    figures = {**GOOD, "revenue": ("10400000", "4800000")}  # +117% 同比: a 核实性 warning, left unexplained
    del figures["tech_platforms"]
    report_values_save(actor=None, report=lixia, values=values(figures), check_permission=False)
    return period, rencheng, lixia


def test_the_facts_come_from_the_reports_events_findings_and_corrections(reports) -> None:
    period, rencheng, lixia = reports
    rencheng.refresh_from_db()
    lixia.refresh_from_db()
    late = report_facts(rencheng)
    assert (late.asked, late.filled, late.corrections, late.warnings) == (14, 14, 1, ())
    assert late.submitted_on > period.deadline
    unexplained = report_facts(lixia)
    assert (unexplained.filled, len(unexplained.missing), unexplained.submitted_on) == (12, 1, None)
    assert len(unexplained.warnings) == 1 and unexplained.unexplained == unexplained.warnings


def test_quality_scores_gives_each_clusters_score_for_an_evaluation(reports) -> None:
    period, rencheng, lixia = reports
    scores = quality_scores(period.programme, 2025)
    # 任城: (1 + 0 late + 1 no warning + 0.75 one correction) / 4 = 68.75 → 68.8
    # 历下: (12/14 + 0 not submitted + 0 one unexplained warning + 1) / 4 = 46.43 → 46.4
    assert scores == {rencheng.cluster_id: Decimal("68.8"), lixia.cluster_id: Decimal("46.4")}
    assert quality_scores(period.programme, 2024) == {}


def test_the_page_shows_the_units_the_user_sees_with_reasons(reports, jining_officer, province_admin) -> None:
    period, rencheng, lixia = reports
    query = f"?programme={period.programme.code}&year=2025"
    page = client_for(jining_officer).get(f"/monitoring/quality/{query}").content.decode()
    assert "任城测试集群" in page and "历下测试集群" not in page
    assert "68.8" in page and "逾期" in page and "审定后更正 1 次" in page
    page = client_for(province_admin).get(f"/monitoring/quality/{query}&quarter=2").content.decode()
    assert "46.4" in page and "仍未提交" in page and "未说明" in page


def test_the_excel_has_a_row_per_unit_and_report(reports, province_admin) -> None:
    period, _rencheng, _lixia = reports
    response = client_for(province_admin).get(f"/monitoring/quality.xlsx?programme={period.programme.code}&year=2025")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("数据质量").to_python()
    assert rows[1][:3] == ["填报单位", "报告期", "得分"]
    names = [(r[0], r[1], r[2]) for r in rows[2:]]
    assert ("历下测试集群", "合计", 46.4) in names and ("任城测试集群", "合计", 68.8) in names


def test_a_bad_filter_is_named_and_the_page_still_answers(db, province_admin) -> None:
    response = client_for(province_admin).get("/monitoring/quality/?year=abc&programme=NOPE")
    assert response.status_code == 200
    page = response.content.decode()
    assert "输入整数" in page


def test_the_cli_prints_scores_and_refuses_an_unknown_programme(reports, tmp_path) -> None:
    import json

    from django.core.management import CommandError, call_command

    period, rencheng, _lixia = reports
    out = io.StringIO()
    call_command("quality", "--programme", period.programme.code, "--year", "2025", "--json",
                 "-o", str(tmp_path / "q.xlsx"), stdout=out)
    rows = {r["name"]: r for r in json.loads(out.getvalue())}
    assert rows["任城测试集群"]["score"] == "68.8" and rows["历下测试集群"]["score"] == "46.4"
    assert (tmp_path / "q.xlsx").stat().st_size > 0
    with pytest.raises(CommandError) as refused:
        call_command("quality", "--programme", "NOPE", "--year", "2025", stdout=io.StringIO())
    assert "NOPE" in str(refused.value)
