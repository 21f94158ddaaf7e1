"""The approved-figures selector: every answer below is computed by hand in its comment."""

import datetime
from decimal import Decimal

import pytest

from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import Provenance, Report, ReportStatus
from jiqun.monitoring.selectors import region_rollup
from jiqun.monitoring.services import period_open, report_values_save
from jiqun.programmes.models import Indicator, Programme
from jiqun.regions.models import Region
from jiqun.targets.tests.helpers import make_cluster

pytestmark = pytest.mark.django_db


def programme_of(code: str, city: str | None = None) -> Programme:
    return Programme.objects.create(
        code=code, name=f"测试汇总{code}", document_title="测试文件", document_date="2024-12-31", source_file="x",
        scope="city" if city else "province", scope_region=Region.objects.get(code=city) if city else None,
        period_start=2025, period_end=2026, pack_hash="x")


def open_period(programme: Programme, codes: list[str], year: int = 2025, quarter: int = 4):
    return period_open(actor=None, programme=programme, year=year, quarter=quarter,
                       deadline=datetime.date(year, 12, 31), indicators=Indicator.objects.filter(code__in=codes))


def fill(report, figures: dict, *, approve: bool = True):
    """Write {code: current or (current, previous)} as the system and mark the report 省级审核通过 (the
    workflow's own tests are in test_workflow.py; here only the status matters)."""
    values = {}
    for code, given in figures.items():
        current, previous = given if isinstance(given, tuple) else (given, given)
        values[code] = {"current": Decimal(str(current)),
                        "previous": None if previous is None else Decimal(str(previous)), "note": "测试"}
    report_values_save(actor=None, report=report, values=values, provenance=Provenance.DEMO, check_permission=False)
    if approve:
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.PROVINCE_APPROVED)
    report.refresh_from_db()
    return report


def test_the_gap_is_the_clusters_weighted_intensity_minus_the_provinces_not_a_sum_of_gaps():
    programme = programme_of("T-GAP")
    a = make_cluster(programme, "370811", name="甲集群")
    b = make_cluster(programme, "370102", name="乙集群")
    period = open_period(programme, ["rd_expenditure", "revenue", "region_rd_intensity"])
    fill(period.reports.get(cluster=a), {"rd_expenditure": 300, "revenue": 10_000})  # 3.0%
    fill(period.reports.get(cluster=b), {"rd_expenditure": 100, "revenue": 5_000})  # 2.0%
    fill(period.reports.get(region="370000"), {"region_rd_intensity": "2.5"})
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    province = book.region("370000")
    # (300 + 100) / (10,000 + 5,000) × 100 = 2.6667%; minus the province's 2.5 = 0.1667 百分点
    gap = book.figure(province, "rd_intensity_gap")
    assert gap.current == Decimal(400) * 100 / Decimal(15_000) - Decimal("2.5")
    assert round(gap.current, 4) == Decimal("0.1667")
    # one cluster: 3.0 − 2.5 = 0.5, with the province's 综合表 as its subtrahend (the scope region's)
    assert book.figure(book.cluster(a.pk), "rd_intensity_gap").current == Decimal("0.5")


def test_a_share_over_the_citys_manufacturing_is_the_clusters_sum_over_the_city_figure():
    programme = programme_of("T-SHARE", city="370800")
    clusters = [make_cluster(programme, "370811", name=f"集群{n}") for n in range(6)]
    period = open_period(programme, ["operating_revenue", "manufacturing_operating_revenue"])
    assert period.reports.filter(region="370800").exists()  # the city programme's 综合表
    for cluster in clusters:
        fill(period.reports.get(cluster=cluster), {"operating_revenue": 100_000})
    fill(period.reports.get(region="370800"), {"manufacturing_operating_revenue": 1_000_000})
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    city = book.region("370800")
    # 6 × 100,000 / 1,000,000 × 100 = 60; summing the city's figure once per cluster gave 600,000 / 6,000,000 = 10
    assert book.figure(city, "manufacturing_share").current == Decimal(60)
    assert book.figure(city, "manufacturing_operating_revenue").current == Decimal(1_000_000)


def test_a_citys_capacity_and_funds_are_its_own_figures_not_six_clusters_sum():
    programme = programme_of("T-CAP", city="370800")
    clusters = [make_cluster(programme, "370811", name=f"集群{n}") for n in range(6)]
    codes = ["renewable_capacity", "power_capacity", "industrial_special_fund", "tech_transformation_fund"]
    period = open_period(programme, codes)
    fill(period.reports.get(region="370800"), {"renewable_capacity": 300, "power_capacity": 1_200,
                                               "industrial_special_fund": (20_000, 18_000),
                                               "tech_transformation_fund": 50_000})
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    city = book.region("370800")
    assert book.figure(city, "renewable_capacity").current == 300  # once, not 6 clusters × 300 = 1,800
    assert {s.key for s in book.figure(city, "renewable_capacity").sources} == {("region", "370800")}
    assert book.figure(city, "renewable_capacity_share").current == 25  # 300 / 1,200 × 100
    fund = book.figure(city, "industrial_special_fund")
    assert (fund.current, fund.previous) == (20_000, 18_000)  # T42: 2 亿元, not 12
    assert book.figure(city, "tech_transformation_fund").current == 50_000  # T43: 5 亿元
    # a cluster's region-level figure is its programme region's, read from the same 综合表
    assert book.figure(book.cluster(clusters[0].pk), "renewable_capacity").current == 300


def test_a_ratio_over_clusters_with_different_denominators_is_recomputed_not_averaged():
    programme = programme_of("T-RATIO")
    a = make_cluster(programme, "370811", name="甲集群")
    b = make_cluster(programme, "370102", name="乙集群")
    period = open_period(programme, ["hightech_output", "output_value"])
    fill(period.reports.get(cluster=a), {"hightech_output": 50, "output_value": 100})  # 50%
    fill(period.reports.get(cluster=b), {"hightech_output": 10, "output_value": 400})  # 2.5%
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    # (50 + 10) / (100 + 400) × 100 = 12, not (50 + 2.5) / 2 = 26.25
    assert book.figure(book.region("370000"), "hightech_output_share").current == 12
    assert book.figure(book.region("370800"), "hightech_output_share").current == 50  # 甲 alone


def test_a_period_with_one_cluster_not_approved_is_not_used():
    programme = programme_of("T-COMPLETE")
    a = make_cluster(programme, "370811", name="甲集群")
    b = make_cluster(programme, "370102", name="乙集群")
    q3 = open_period(programme, ["revenue"], quarter=3)
    q4 = open_period(programme, ["revenue"], quarter=4)
    fill(q3.reports.get(cluster=a), {"revenue": 700})
    fill(q3.reports.get(cluster=b), {"revenue": 300})
    fill(q4.reports.get(cluster=a), {"revenue": 1_000})
    fill(q4.reports.get(cluster=b), {"revenue": 400}, approve=False)
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    province = book.region("370000")
    q4_total = book.total(province, "revenue", 2025, 4)
    assert not q4_total.complete and q4_total.reported == 1 and len(q4_total.expected) == 2
    assert q4_total.missing == {("cluster", b.pk)}
    figure = book.figure(province, "revenue")
    assert (figure.year, figure.quarter, figure.current) == (2025, 3, 1_000)  # 700 + 300, 1-9月
    assert book.figure(book.cluster(a.pk), "revenue").current == 1_000  # 甲 alone is complete in 1-12月


def test_a_figure_names_its_reports_and_revisions():
    programme = programme_of("T-PROV")
    a = make_cluster(programme, "370811", name="甲集群")
    period = open_period(programme, ["rd_expenditure", "revenue", "region_rd_intensity"])
    report = period.reports.get(cluster=a)
    report_values_save(actor=None, report=report, values={"revenue": {"current": Decimal(9_000)}},
                       check_permission=False)
    fill(report, {"rd_expenditure": 300, "revenue": 10_000})  # revision 2 sets both
    province_report = fill(period.reports.get(region="370000"), {"region_rd_intensity": "2.5"})
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    gap = book.figure(book.region("370000"), "rd_intensity_gap")
    assert {(s.report, s.revision, s.code, s.subject) for s in gap.sources} == {
        (report.pk, 2, "rd_expenditure", "甲集群"), (report.pk, 2, "revenue", "甲集群"),
        (province_report.pk, 1, "region_rd_intensity", "山东省综合表")}
    [part] = book.parts(book.region("370000"), "revenue", 2025, 4)
    assert (part.report, part.revision, part.current) == (report.pk, 2, 10_000)


def test_the_reporters_names_are_read_once_when_first_asked_for_and_never_for_values_alone(
        django_assert_num_queries):
    programme = programme_of("T-NAMES")
    a = make_cluster(programme, "370811", name="甲集群")
    make_cluster(programme, "370102", name="乙集群")
    period = open_period(programme, ["revenue", "region_rd_intensity"])
    fill(period.reports.get(cluster=a), {"revenue": 10_000})
    fill(period.reports.get(region="370000"), {"region_rd_intensity": "2.5"})
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    subjects = [book.cluster(a.pk)]  # `cluster` reads the programme's clusters: before the counting
    book.catalogue, book.collected  # noqa: B018 (loaded before the counting)
    with django_assert_num_queries(1):  # the reports and their figures; no names: an evaluation run asks for none
        assert book.complete_values(subjects, "revenue", 2025, 4)[0][0] == 10_000
    with django_assert_num_queries(1):  # every reporter's name at once, when a source first shows whose it is
        [source] = book.total(book.region("370000"), "revenue", 2025, 4).sources
        assert source.subject == "甲集群"
        [part] = book.parts(book.region("370000"), "region_rd_intensity", 2025, 4)
        assert part.subject == "山东省综合表"
        assert [p.subject for p in book.parts(book.region("370000"), "revenue", 2025, 4)] == ["乙集群", "甲集群"]


def test_a_cross_city_cluster_counts_in_each_city_and_once_in_the_province():
    programme = programme_of("T-CROSS")
    a = make_cluster(programme, "370811", "370102", name="跨市集群")
    b = make_cluster(programme, "370102", name="济南集群")
    period = open_period(programme, ["revenue"])
    fill(period.reports.get(cluster=a), {"revenue": 1_000})
    fill(period.reports.get(cluster=b), {"revenue": 500})
    rollups = region_rollup(period)
    assert rollups["370800"].totals["revenue"].current == 1_000
    assert rollups["370100"].totals["revenue"].current == 1_500
    assert rollups["370000"].totals["revenue"].current == 1_500  # not 2,500
    assert "跨市集群" in rollups["370000"].warnings[0]


def test_a_rate_that_cannot_be_combined_has_no_figure_for_several_clusters():
    Indicator.objects.create(code="test_own_rate", name="自报比率", unit="%", kind="stock", level="cluster",
                             aggregation="none")
    programme = programme_of("T-NONE")
    a = make_cluster(programme, "370811", name="甲集群")
    b = make_cluster(programme, "370102", name="乙集群")
    period = open_period(programme, ["test_own_rate"])
    fill(period.reports.get(cluster=a), {"test_own_rate": 30})
    fill(period.reports.get(cluster=b), {"test_own_rate": 10})
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    assert "不可跨集群加总" in book.refusal(book.region("370000"), "test_own_rate")
    assert book.figure(book.region("370000"), "test_own_rate") is None  # neither 40 nor 20
    assert book.figure(book.cluster(a.pk), "test_own_rate").current == 30


def test_region_level_figures_come_only_from_the_subjects_own_region_report():
    programme = programme_of("T-REGION")
    a = make_cluster(programme, "370811", name="甲集群")
    period = open_period(programme, ["revenue", "renewable_capacity"])
    fill(period.reports.get(cluster=a), {"revenue": 300})
    fill(period.reports.get(region="370000"), {"renewable_capacity": 9_000})
    book = ApprovedFigures(programme, as_of=datetime.date(2026, 1, 31))
    assert book.figure(book.region("370000"), "renewable_capacity").current == 9_000
    # a province-wide programme files no 综合表 for 济宁: the city has no region-level figure of its own
    city = book.total(book.region("370800"), "renewable_capacity", 2025, 4)
    assert city.current is None and city.missing == {("region", "370800")}


def test_the_rollup_page_shows_recomputed_rates_and_the_provinces_own_figures(as_province):
    programme = programme_of("T-PAGE")
    a = make_cluster(programme, "370811", name="甲集群")
    b = make_cluster(programme, "370102", name="乙集群")
    period = open_period(programme, ["rd_expenditure", "revenue", "region_rd_intensity"])
    fill(period.reports.get(cluster=a), {"rd_expenditure": (300, 200), "revenue": 10_000})
    fill(period.reports.get(cluster=b), {"rd_expenditure": (100, 100), "revenue": 5_000}, approve=False)
    fill(period.reports.get(region="370000"), {"region_rd_intensity": ("2.5", "2.4")})
    page = as_province.get(f"/monitoring/periods/{period.pk}/rollup/").content.decode()
    assert "研发投入强度高于全省平均" in page and "规上工业企业研发投入强度（区域）" in page
    # 济宁 (甲 only): 300 / 10,000 × 100 = 3.00%, a year earlier 2.00%: 提高 1.00 个百分点, not 增长 50%
    assert "3.00" in page and "提高 1.00 个百分点" in page
    # the province's gap, 3.0 − 2.5 so far, is partial: 甲 and the 综合表 are approved, 乙 is not
    assert "部分：2/3 份报表" in page


def test_it_places_each_cluster_in_its_regions_and_zones():
    """The programme's clusters as the selector knows them: name, county codes and zones, each cluster once."""
    from jiqun.regions.models import Zone

    programme = programme_of("T-PLACE")
    both = make_cluster(programme, "370112", "370102", name="两区集群")  # 历城区 and 历下区, 济南
    alone = make_cluster(programme, "370811", name="任城集群")  # 任城区, 济宁
    zone = Zone.objects.create(name="测试园区甲", region=Region.objects.get(code="370112"))
    both.zones.add(zone)
    figures = ApprovedFigures(programme, as_of=datetime.date(2025, 12, 31))
    assert figures.clusters == {both.pk: ("两区集群", ("370102", "370112"), (zone.pk,)),
                                alone.pk: ("任城集群", ("370811",), ())}
    assert figures.zone(zone.pk).members == {("cluster", both.pk)}
    assert figures.region("370100").members == {("cluster", both.pk)}
    assert figures.region("370000").members == {("cluster", both.pk), ("cluster", alone.pk)}
