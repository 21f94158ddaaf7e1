"""Current figures: counts recomputed from the registries, values from province-approved statistics."""

import datetime
from decimal import Decimal

import pytest

from jiqun.clusters.models import Cluster, TierChange
from jiqun.clusters.services import cluster_update
from jiqun.enterprises.models import Enterprise
from jiqun.enterprises.services import enterprise_create, honour_add, membership_set, scale_set
from jiqun.regions.models import Region
from jiqun.targets import progress as P
from jiqun.targets.selectors import target_rows
from jiqun.targets.structure import programme_structure
from jiqun.targets.tests.helpers import (
    file_report,
    make_cluster,
    make_programme,
    make_target,
    open_period,
    row_of,
)

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2025, 6, 30)


def rows_for(user, code: str, as_of=TODAY):
    from jiqun.programmes.models import Programme

    return target_rows(user, as_of=as_of, programme=Programme.objects.get(code=code))


def test_world_class_clusters_are_recounted_after_a_tier_change(province_admin):
    assert row_of(rows_for(province_admin, "SD-2023-185"), "T01").result.current.value == 0
    cluster = Cluster.objects.get(programme__code="SD-2023-185", code="power-equipment")
    cluster_update(actor=province_admin, cluster=cluster, tier="world", basis="测试认定")
    # A tier counts from the day it took effect (clusters.selectors); date this recognition before TODAY.
    TierChange.objects.filter(cluster=cluster, tier="world").update(effective_on=datetime.date(2025, 3, 1))
    row = row_of(rows_for(province_admin, "SD-2023-185"), "T01")
    assert row.result.current.value == 1 and [b.label for b in row.series.basis] == ["动力装备"]
    cluster_update(actor=province_admin, cluster=cluster, status="exited", basis="测试退出")
    assert row_of(rows_for(province_admin, "SD-2023-185"), "T01").result.current.value == 0


def test_champion_counts_follow_honours_and_their_validity(province_admin):
    cluster = Cluster.objects.get(programme__code="SD-2023-185", code="power-equipment")
    enterprise = enterprise_create(actor=province_admin, name="测试冠军企业", region=Region.objects.get(code="370102"))
    membership_set(actor=province_admin, enterprise=enterprise, cluster=cluster)
    before = row_of(rows_for(province_admin, "SD-2023-185"), "T32").result.current.value
    honour_add(actor=province_admin, enterprise=enterprise, kind="single_champion", level="national", year=2024,
               valid_until=2027)
    honour_add(actor=province_admin, enterprise=enterprise, kind="single_champion", level="provincial", year=2020,
               valid_until=2022)
    rows = rows_for(province_admin, "SD-2023-185")
    assert row_of(rows, "T32").result.current.value == before + 1
    assert "测试冠军企业" in [b.label for b in row_of(rows, "T32").series.basis]
    assert row_of(rows, "T33").result.current.value == 0  # the provincial title lapsed in 2022
    assert [p.value for p in row_of(rows, "T32").series.points][:2] == [before, before + 1]  # 2023, 2024


def test_above_scale_members_are_recounted_after_a_scale_change(province_admin):
    as_of = datetime.date(2025, 12, 31)
    before = row_of(rows_for(province_admin, "JN-2020-231", as_of), "T13").result.current.value
    member = Enterprise.objects.filter(memberships__cluster__code="high-end-equipment",
                                       memberships__cluster__programme__code="JN-2020-231").first()
    scale_set(actor=province_admin, enterprise=member, year=2025, above_scale=False)
    row = row_of(rows_for(province_admin, "JN-2020-231", as_of), "T13")
    assert row.result.current.value == before - 1 and row.result.current.label == "2025年"


@pytest.fixture
def small():
    """Two clusters of a programme of their own; 2024 full year and 2025 Q1–Q3 approved."""
    programme = make_programme()
    a = make_cluster(programme, "370811", name="甲集群")
    b = make_cluster(programme, "370102", name="乙集群")
    q4 = open_period(programme, 2024, 4)
    file_report(q4, a, {"output_value": (12_000_000, 10_000_000), "hightech_output": (5_000_000, 4_000_000)})
    file_report(q4, b, {"output_value": (8_000_000, 7_000_000), "hightech_output": (1_000_000, 900_000)})
    for quarter, share in ((1, Decimal("0.25")), (2, Decimal("0.5")), (3, Decimal("0.75"))):
        period = open_period(programme, 2025, quarter)
        file_report(period, a, {"output_value": (13_200_000 * share, 12_000_000 * share),
                                "hightech_output": (5_000_000 * share, 4_000_000 * share)})
        file_report(period, b, {"output_value": (8_000_000 * share, 8_000_000 * share),
                                "hightech_output": (1_000_000 * share, 900_000 * share)}, approve=quarter < 3)
    return programme, a, b


def test_clusters_over_a_threshold_count_approved_full_years(small, province_admin):
    programme, a, b = small
    make_target(programme, "T01", "count_clusters_over", 1, "个", 2026,
                params={"threshold": 1000, "unit": "亿元", "measure": "output_value"})
    row = row_of(target_rows(province_admin, as_of=TODAY, programme=programme), "T01")
    assert row.result.current.value == 1 and row.result.current.label == "2024年全年"
    assert [b.label for b in row.series.basis] == ["甲集群 2024年"]
    assert row.result.status == P.ACHIEVED
    before = row_of(target_rows(province_admin, as_of=datetime.date(2024, 12, 30), programme=programme), "T01")
    assert before.result.status == P.NO_DATA  # the year's figures were not in yet


def test_a_flow_in_its_target_year_is_year_to_date_against_the_annual_target(small, province_admin):
    programme, a, b = small
    make_target(programme, "T02", "output_value", 2200, "亿元", 2025, subject="cluster", cluster=a)
    row = row_of(target_rows(province_admin, as_of=datetime.date(2025, 10, 15), programme=programme), "T02")
    result = row.result
    assert result.current.value == Decimal(990) and result.current.label == "2025年1-9月累计"  # 13.2 亿 × 0.75 × 100
    assert result.elapsed == 75 and result.attainment == 45
    assert result.required == Decimal(2200) / 1200 - 1  # on last year's 1,200 亿
    assert result.actual == Decimal("0.1")  # 同比 of 1-9月
    assert result.forecast == Decimal(1320) and result.status == P.BEHIND  # 1,200 × 1.1, 40% short


def test_a_total_uses_only_periods_every_cluster_has_approved(small, province_admin):
    programme, a, b = small
    make_target(programme, "T03", "output_value", 2400, "亿元", 2025)
    row = row_of(target_rows(province_admin, as_of=datetime.date(2025, 10, 15), programme=programme), "T03")
    assert row.result.current.label == "2025年1-6月累计"  # 1-9月 of 乙 is only submitted
    assert row.result.current.value == Decimal("1060")  # (13.2 + 8) 亿 × 0.5 × 100
    incomplete = [b for b in row.series.basis if "不完整" in b.note]
    assert [b.label for b in incomplete] == ["2025年1-9月合计"] and "1/2" in incomplete[0].note


def test_a_ratio_is_recomputed_from_summed_parts_not_averaged(small, province_admin):
    programme, a, b = small
    make_target(programme, "T04", "hightech_output_share", 40, "%", 2026)
    row = row_of(target_rows(province_admin, as_of=datetime.date(2025, 7, 1), programme=programme), "T04")
    # 1-6月: (2.5 + 0.5) / (6.6 + 4) × 100 = 28.30%, not the mean of 37.9% and 12.5%
    assert round(row.result.current.value, 2) == Decimal("28.30")
    assert not row.result.compound  # shares move in points


def test_structure_counts_tiers_scale_and_echelons(small, province_admin):
    programme, a, b = small
    cluster_update(actor=province_admin, cluster=a, tier="national", basis="测试")
    TierChange.objects.filter(cluster=a, tier="national").update(effective_on=datetime.date(2025, 3, 1))
    make_target(programme, "T05", "count_clusters", 2, "个", 2026, params={"tier": "national"})
    make_target(programme, "T06", "count_clusters_over", 1, "个", 2026,
                params={"threshold": 1000, "unit": "亿元", "measure": "output_value"})
    rows = target_rows(province_admin, as_of=TODAY, programme=programme)
    structure = programme_structure(programme, rows, TODAY)
    national = next(line for line in structure["tiers"] if line.label == "国家级")
    assert national.count == 1 and [g.target.code for g in national.goals] == ["T05"]
    scale = {line.label: line for line in structure["scale"]}
    assert scale["千亿级"].count == 1 and scale["500亿级"].count == 2 and scale["3000亿级"].count == 0
    assert [g.target.code for g in scale["千亿级"].goals] == ["T06"] and structure["scale_year"] == 2024


def test_registries_that_do_not_exist_yet_say_so(province_admin):
    rows = rows_for(province_admin, "SD-2023-185")
    row = row_of(rows, "T26")
    assert row.result.status == P.NO_DATA and "智能工厂" in row.result.reason
