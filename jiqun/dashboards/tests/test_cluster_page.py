"""The cluster page in depth: its trend figures are the approved-figures selector's, the quarter alone is taken
from two complete cumulative figures, its project counts are the registry's, another city's officer meets a
404, and ?chart= downloads a chart's data (an unknown chart is a 404 page, never a 500)."""

from decimal import Decimal

import pytest

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for
from jiqun.dashboards.cluster_page import quarter_alone
from jiqun.dashboards.models import FigureSummary
from jiqun.dashboards.selectors import figure_url
from jiqun.evaluation.models import RunRow
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.monitoring.tests.helpers import read_sheet
from jiqun.projects.models import Project, Stage

JINING = "JN-2020-231"


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _cluster(name: str = "高端装备产业集群", programme: str = JINING) -> Cluster:
    return Cluster.objects.get(programme__code=programme, name=name)


def _row(year: int, quarter: int, current, previous=None, complete: bool = True) -> FigureSummary:
    return FigureSummary(year=year, quarter=quarter, current_text=FigureSummary.text(current),
                         previous_text=FigureSummary.text(previous), complete=complete)


def test_the_quarter_alone_is_this_cumulative_figure_minus_the_previous_quarters_when_both_are_complete():
    rows = [
        _row(2025, 4, Decimal("400"), Decimal("300")),
        _row(2026, 1, Decimal("110"), Decimal("100")),  # Q1: the figure itself
        _row(2026, 2, Decimal("230"), Decimal("210")),
        _row(2026, 3, Decimal("360"), None, complete=False),  # not complete: no quarter alone
        _row(2026, 4, Decimal("500"), Decimal("420")),  # the quarter before is not complete: none either
    ]
    assert quarter_alone(rows) == [None, Decimal("110"), Decimal("120"), None, None]
    assert quarter_alone(rows, previous=True) == [None, Decimal("100"), Decimal("110"), None, None]
    # A missing quarter (no stored figure) leaves the next one without a quarter alone; the year does not carry over.
    gap = [_row(2026, 1, Decimal("10")), _row(2026, 3, Decimal("40")), _row(2027, 1, Decimal("12"))]
    assert quarter_alone(gap) == [Decimal("10"), None, Decimal("12")]


@pytest.mark.django_db
def test_a_trend_figure_is_the_approved_figures_total_and_links_to_its_source():
    cluster = _cluster()
    response = client_for(_user("jining")).get(f"/clusters/{cluster.pk}/")
    assert response.status_code == 200
    trends = response.context["trends"]
    chart = next(c for c in trends.charts if c.key == "trend-revenue")
    figures = ApprovedFigures(cluster.programme)
    subject = figures.cluster(cluster.pk)
    year, quarter = trends.latest
    total = figures.total(subject, "revenue", year, quarter)
    assert total.complete
    shown = chart.series[0].values[chart.categories.index(f"{year}年1-{quarter * 3}月")]
    assert shown == total.current and chart.series[1].values[chart.categories.index(f"{year}年1-{quarter * 3}月")] \
        == total.previous
    latest = next(r for r in trends.rows if r.code == "revenue")
    assert latest.value == total.current and latest.url == figure_url(latest.row)
    assert latest.change.startswith(("增长", "下降", "持平"))
    assert latest.url.replace("&", "&amp;") in response.content.decode()
    # The quarter alone of the latest quarter: this cumulative figure minus the quarter before's.
    alone = next(c for c in trends.charts if c.key == "quarter-revenue")
    before = figures.total(subject, "revenue", year, quarter - 1).current if quarter > 1 else Decimal(0)
    assert alone.series[0].values[chart.categories.index(f"{year}年1-{quarter * 3}月")] == total.current - before
    assert any(c.key == "trend-rd_intensity" for c in trends.charts)  # a ratio the summaries hold
    assert 'src="/static/dashboards/charts.js" defer' in response.content.decode()


@pytest.mark.django_db
def test_the_project_counts_are_the_registrys_and_the_rule_of_twenty_where_the_programme_has_it():
    cluster = _cluster("高端化工产业集群")
    response = client_for(_user("jining")).get(f"/clusters/{cluster.pk}/")
    projects = response.context["projects"]
    registry = Project.objects.filter(clusters=cluster)
    assert projects.total == registry.count() > 0
    assert {value: n for value, _label, n in projects.by_stage} == {
        value: registry.filter(stage=value).count() for value in Stage.values}
    assert projects.pushed == registry.exclude(stage=Stage.WITHDRAWN).count()
    assert [p.pk for p in projects.top] == list(registry.exclude(stage=Stage.WITHDRAWN)
                                                .order_by("-total_investment", "name").values_list("pk", flat=True)[:10])
    assert projects.rule is None  # JN-2020-231 sets no per-cluster project count
    provincial = Cluster.objects.filter(programme__code="SD-SEI-2020").first()
    sheng = client_for(_user("sheng")).get(f"/clusters/{provincial.pk}/").context["projects"]
    assert sheng.rule.code == "T10" and sheng.gap == sheng.rule.value - sheng.pushed


@pytest.mark.django_db
def test_another_citys_officer_meets_a_404_and_a_cluster_organisation_sees_its_own():
    cluster = _cluster()
    jinan = client_for(_user("jinan"))
    assert jinan.get(f"/clusters/{cluster.pk}/").status_code == 404
    assert jinan.get(f"/clusters/{cluster.pk}/?chart=trend-revenue").status_code == 404
    org = _user("jiqun_org")
    own = org.clusters.first()
    response = client_for(org).get(f"/clusters/{own.pk}/")
    assert response.status_code == 200
    assert all(r.row.cluster_id == own.pk for r in response.context["trends"].rows)


@pytest.mark.django_db
def test_a_chart_downloads_as_a_workbook_and_an_unknown_chart_is_a_404_page():
    cluster = _cluster()
    client = client_for(_user("jining"))
    response = client.get(f"/clusters/{cluster.pk}/?chart=trend-revenue")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = read_sheet(response.content, "图表数据")
    assert sheet[0][0] == "主营业务收入（累计）" and sheet[1][1].startswith("本年累计")
    assert AuditEvent.objects.filter(object_type="dashboards.chart", object_id="trend-revenue").exists()
    assert client.get(f"/clusters/{cluster.pk}/?chart=chains-rating")["Content-Type"].startswith("application/vnd")
    for bad in ("nope", "trend-nope", "<script>" + "x" * 300):
        response = client.get(f"/clusters/{cluster.pk}/", {"chart": bad})
        assert response.status_code == 404


@pytest.mark.django_db
def test_the_evaluation_history_links_each_score_to_its_explanation():
    row = RunRow.objects.filter(
        run__status="published", cluster__isnull=False, position__isnull=False).select_related("run").first()
    response = client_for(_user("sheng")).get(f"/clusters/{row.cluster_id}/")
    evaluations = response.context["evaluations"]
    assert [(e.run.pk, e.row.rank) for e in evaluations][:1] == [(row.run_id, row.rank)]
    assert f"/evaluation/runs/{row.run_id}/explain/?cluster={row.cluster_id}" in response.content.decode()
    assert client_for(_user("sheng")).get(evaluations[0].explain_url).status_code == 200


@pytest.mark.django_db
def test_the_page_offers_the_clusters_quarterly_analysis_of_its_latest_complete_period():
    import re

    cluster = _cluster()
    page = client_for(_user("jining")).get(f"/clusters/{cluster.pk}/").content.decode()
    url = re.search(r'id="cluster-report" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    latest = (FigureSummary.objects.filter(kind="cluster", cluster=cluster, complete=True)
              .order_by("-year", "-quarter").values_list("year", "quarter").first())
    assert f"year={latest[0]}&quarter={latest[1]}&cluster={cluster.code}" in url
    report = client_for(_user("jining")).get(url)
    assert report.status_code == 200 and report["Content-Type"].startswith("application/vnd.openxmlformats")
