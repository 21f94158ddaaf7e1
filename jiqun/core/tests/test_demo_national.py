"""The national-scale demo generator (`jiqun demo --scale national`), at a small size."""

import pytest
from django.core.management import CommandError, call_command

from jiqun.clusters.models import Cluster
from jiqun.core.demo_national import (
    NATIONAL_CODE,
    NationalExists,
    NationalSize,
    national_generate,
    quarters_ending,
)
from jiqun.dashboards.models import FigureSummary, SubjectKind, SummaryState
from jiqun.enterprises.models import Enterprise, Membership, Source
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.models import Report, ReportStatus
from jiqun.programmes.models import Programme
from jiqun.regions.models import PROVINCE_CODE

SMALL = NationalSize(clusters=5, enterprises=50, quarters=3)
SMALL_ARGS = ["--scale", "national", "--clusters", "5", "--enterprises", "50", "--quarters", "3"]


def _figures() -> dict:
    """Every stored summary, keyed by what it is of (cluster code rather than id: ids differ between runs)."""
    rows = FigureSummary.objects.filter(programme__code=NATIONAL_CODE).values_list(
        "kind", "cluster__code", "region_id", "code", "year", "quarter", "current_text", "previous_text", "complete",
        "expected", "reported")
    return {row[:6]: row[6:] for row in rows}


def test_quarters_end_with_the_last_full_year() -> None:
    assert quarters_ending(3) == [(2025, 2), (2025, 3), (2025, 4)]
    assert quarters_ending(20)[0] == (2021, 1)


@pytest.mark.django_db
def test_generates_the_sizes_asked_reproducibly() -> None:
    counts = national_generate(SMALL)
    programme = Programme.objects.get(code=NATIONAL_CODE)
    assert counts["clusters"] == Cluster.objects.filter(programme=programme).count() == 5
    assert Membership.objects.filter(cluster__programme=programme).count() == 50
    assert Enterprise.objects.filter(memberships__cluster__programme=programme, source=Source.DEMO).count() == 50
    reports = Report.objects.filter(period__programme=programme)
    # each cluster, the province's 综合表 and the 16 cities', in 3 quarters
    assert reports.count() == counts["reports"] == 3 * (5 + 1 + 16)
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.PROVINCE_APPROVED}
    state = SummaryState.objects.get(programme=programme)
    assert state.fresh and state.rows == counts["summaries"] > 0
    first = _figures()
    assert len(first) == state.rows

    again = national_generate(SMALL, force=True)  # deletes the first programme and everything made for it
    assert again == counts
    assert Programme.objects.filter(code=NATIONAL_CODE).count() == 1
    assert Membership.objects.filter(cluster__programme__code=NATIONAL_CODE).count() == 50
    assert _figures() == first


@pytest.mark.django_db
def test_summaries_are_the_approved_figures() -> None:
    national_generate(SMALL)
    programme = Programme.objects.get(code=NATIONAL_CODE)
    figures = ApprovedFigures(programme)
    rows = FigureSummary.objects.filter(programme=programme)
    province = figures.region(PROVINCE_CODE)
    checked = 0
    for row in rows.filter(kind__in=[SubjectKind.CLUSTER, SubjectKind.REGION]):
        subject = figures.cluster(row.cluster_id) if row.kind == SubjectKind.CLUSTER else (
            province if row.region_id == PROVINCE_CODE else figures.region(row.region_id))
        total = figures.total(subject, row.code, row.year, row.quarter)
        assert (row.current, row.previous, row.complete) == (total.current, total.previous, total.complete), row
        checked += 1
    assert checked == rows.count()
    # every figure is complete (all approved) but a county's region-level ones (a county files no 综合表)
    incomplete = rows.filter(complete=False)
    assert set(incomplete.values_list("code", flat=True)) == {"region_rd_intensity", "rd_intensity_gap"}
    assert set(incomplete.values_list("region__level", flat=True)) == {"county"}
    # the province sums its five clusters
    revenue = rows.get(kind=SubjectKind.REGION, region_id=PROVINCE_CODE, code="revenue", year=2025, quarter=4)
    clusters = rows.filter(kind=SubjectKind.CLUSTER, code="revenue", year=2025, quarter=4)
    assert revenue.current == sum(r.current for r in clusters) and revenue.expected == 5
    assert rows.filter(code="rd_intensity_gap", kind=SubjectKind.REGION, region_id=PROVINCE_CODE).count() == 3


@pytest.mark.django_db
def test_refuses_an_existing_programme_without_force() -> None:
    national_generate(SMALL)
    clusters = Cluster.objects.count()
    with pytest.raises(NationalExists):
        national_generate(SMALL)
    with pytest.raises(CommandError, match="已有全国规模演示工程.*--force"):
        call_command("demo", *SMALL_ARGS, verbosity=0)
    assert Cluster.objects.count() == clusters


@pytest.mark.django_db
@pytest.mark.parametrize("args", [["--clusters", "0"], ["--enterprises", "2"], ["--quarters", "0"]])
def test_refuses_sizes_that_make_no_sense(args) -> None:
    with pytest.raises(CommandError, match="规模不合理"):
        call_command("demo", *SMALL_ARGS, *args, verbosity=0)
    assert not Programme.objects.filter(code=NATIONAL_CODE).exists()


@pytest.mark.django_db
def test_command_generates(capsys) -> None:
    call_command("demo", *SMALL_ARGS, verbosity=0)
    assert "已生成全国规模演示工程：集群 5 个，企业 50 家" in capsys.readouterr().out
