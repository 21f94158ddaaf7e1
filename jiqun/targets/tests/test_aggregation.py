"""Targets measured on figures combined by indicator kind: each answer is computed by hand in its comment."""

import datetime
from decimal import Decimal

import pytest

from jiqun.monitoring.models import Provenance, Report, ReportStatus
from jiqun.monitoring.services import period_open, report_values_save
from jiqun.programmes.models import Indicator, Programme
from jiqun.regions.models import Region
from jiqun.targets import progress as P
from jiqun.targets.selectors import target_rows
from jiqun.targets.tests.helpers import make_cluster, make_target, row_of

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 1, 31)


def programme_of(code: str, city: str | None = None) -> Programme:
    return Programme.objects.create(
        code=code, name=f"测试聚合{code}", document_title="测试文件", document_date="2024-12-31", source_file="x",
        scope="city" if city else "province", scope_region=Region.objects.get(code=city) if city else None,
        period_start=2025, period_end=2026, pack_hash="x")


def approved(report, figures: dict) -> Report:
    """{code: (current, previous)} written by the system, the report marked 省级审核通过."""
    values = {code: {"current": Decimal(str(c)), "previous": Decimal(str(p)), "note": "测试"}
              for code, (c, p) in figures.items()}
    report_values_save(actor=None, report=report, values=values, provenance=Provenance.DEMO, check_permission=False)
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.PROVINCE_APPROVED)
    return report


def period_of(programme: Programme, codes: list[str]):
    return period_open(actor=None, programme=programme, year=2025, quarter=4, deadline=datetime.date(2025, 12, 31),
                       indicators=Indicator.objects.filter(code__in=codes))


def test_the_provinces_rd_gap_is_measured_against_its_own_average(province_admin):
    programme = programme_of("A-GAP")
    a = make_cluster(programme, "370811", name="甲集群")
    b = make_cluster(programme, "370102", name="乙集群")
    period = period_of(programme, ["rd_expenditure", "revenue", "region_rd_intensity"])
    approved(period.reports.get(cluster=a), {"rd_expenditure": (300, 250), "revenue": (10_000, 10_000)})
    approved(period.reports.get(cluster=b), {"rd_expenditure": (100, 100), "revenue": (5_000, 5_000)})
    province = approved(period.reports.get(region="370000"), {"region_rd_intensity": ("2.5", "2.4")})
    make_target(programme, "T23", "rd_intensity_gap", "1.5", "百分点", 2025, comparator="≈")
    row = row_of(target_rows(province_admin, as_of=AS_OF, programme=programme), "T23")
    # 400 / 15,000 × 100 − 2.5 = 0.1667 百分点 (上年同期 350 / 15,000 × 100 − 2.4 = −0.0667), not a sum of gaps
    assert round(row.result.current.value, 4) == Decimal("0.1667")
    assert row.result.status != P.ACHIEVED
    links = [b for b in row.series.basis if b.url == f"/monitoring/reports/{province.pk}/"]
    assert links and "修订 #1" in links[0].note and "山东省综合表" in links[0].label


def test_a_citys_share_of_manufacturing_uses_its_own_denominator_once(jining_officer):
    programme = programme_of("A-SHARE", city="370800")
    clusters = [make_cluster(programme, "370811", name=f"集群{n}") for n in range(6)]
    period = period_of(programme, ["operating_revenue", "manufacturing_operating_revenue"])
    for cluster in clusters:
        approved(period.reports.get(cluster=cluster), {"operating_revenue": (100_000, 90_000)})
    approved(period.reports.get(region="370800"), {"manufacturing_operating_revenue": (1_000_000, 1_000_000)})
    make_target(programme, "T10", "manufacturing_share", 60, "%", 2025, subject="city", region="370800")
    row = row_of(target_rows(jining_officer, as_of=AS_OF, programme=programme), "T10")
    assert row.result.current.value == 60  # 600,000 / 1,000,000 × 100, not 10
    assert row.result.status == P.ACHIEVED
    assert [b.label for b in row.series.basis if b.label.startswith(("分子", "分母"))] == [
        "分子：营业收入 2025年1-12月", "分母：全市制造业营业收入 2025年1-12月"]


def test_a_citys_capacity_and_funds_are_its_own(jining_officer):
    programme = programme_of("A-CAP", city="370800")
    for n in range(6):
        make_cluster(programme, "370811", name=f"集群{n}")
    period = period_of(programme, ["renewable_capacity", "industrial_special_fund", "tech_transformation_fund"])
    approved(period.reports.get(region="370800"), {"renewable_capacity": (300, 270),
                                                   "industrial_special_fund": (20_000, 18_000),
                                                   "tech_transformation_fund": (50_000, 40_000)})
    make_target(programme, "T27", "renewable_capacity", 300, "万千瓦", 2025, subject="city", region="370800")
    make_target(programme, "T42", "industrial_special_fund", 2, "亿元", 2025, subject="city", region="370800")
    make_target(programme, "T43", "tech_transformation_fund", 5, "亿元", 2025, subject="city", region="370800")
    rows = target_rows(jining_officer, as_of=AS_OF, programme=programme)
    assert row_of(rows, "T27").result.current.value == 300  # not 6 × 300 = 1,800
    assert row_of(rows, "T42").result.current.value == 2  # 20,000 万元 = 2 亿元, not 12
    assert row_of(rows, "T43").result.current.value == 5  # 50,000 万元 = 5 亿元, not 30
    assert all(row_of(rows, code).result.status == P.ACHIEVED for code in ("T27", "T42", "T43"))


def test_a_city_without_its_own_region_report_has_no_region_level_figure(province_admin):
    programme = programme_of("A-NONE")  # province-wide: only the province files a 综合表
    cluster = make_cluster(programme, "370811", name="甲集群")
    period = period_of(programme, ["revenue", "renewable_capacity"])
    approved(period.reports.get(cluster=cluster), {"revenue": (300, 300)})
    approved(period.reports.get(region="370000"), {"renewable_capacity": (9_000, 8_000)})
    make_target(programme, "T27", "renewable_capacity", 300, "万千瓦", 2025, subject="city", region="370800")
    row = row_of(target_rows(province_admin, as_of=AS_OF, programme=programme), "T27")
    assert row.result.status == P.NO_DATA  # not the province's 9,000, and no cluster sum
    assert "济宁市综合表" in row.series.basis[0].note
