"""The overview's panels show what each owning app's selector gives for the demo, only what the user may see,
leave out what has no data, and the panels page validates its parameters and gives each chart as Excel."""

from collections import Counter
from decimal import Decimal

import pytest

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.chains.analysis import Rating, analyse_chain
from jiqun.chains.models import Chain
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for
from jiqun.dashboards.panels import OVERDUE, chosen_period, overview_panels
from jiqun.evaluation.models import RunStatus
from jiqun.evaluation.selectors import rows_for, runs_for
from jiqun.monitoring.models import Report, ReportStatus
from jiqun.monitoring.quality import percent
from jiqun.monitoring.quality_selectors import period_reports, units_quality
from jiqun.monitoring.selectors import status_matrix
from jiqun.monitoring.tests.helpers import read_sheet
from jiqun.programmes.models import Programme
from jiqun.projects.models import Project, Stage
from jiqun.projects.pipeline import PIPELINE_STAGES
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db
PROVINCE_PROGRAMME, JINING_PROGRAMME = "SD-2023-185", "JN-2020-231"
STATUSES = [ReportStatus.PROVINCE_APPROVED, ReportStatus.CITY_APPROVED, ReportStatus.SUBMITTED, ReportStatus.RETURNED,
            ReportStatus.DRAFT, OVERDUE]


def _user(name: str) -> User:
    return User.objects.get(username=name)


def _panels(user: User, region: str, programme: str | None = None) -> dict:
    chosen = Programme.objects.get(code=programme) if programme else None
    return {c.key: c for c in overview_panels(user, programme=chosen, region_code=region, year=None, quarter=None)}


def _column(chart, category: str) -> dict[str, object]:
    i = chart.categories.index(category)
    return {s.name: s.values[i] for s in chart.series}


def _matrix_counts(period, reports) -> Counter:
    rows, _counts = status_matrix(period, reports)
    return Counter(OVERDUE if row.overdue else row.report.status for row in rows)


def test_reporting_is_the_status_matrix_by_county_and_counts_a_cluster_in_each_of_its_counties():
    jining = _user("jining")
    charts = _panels(jining, "370800", JINING_PROGRAMME)
    stack, rates = charts["reporting"], charts["timeliness"]
    period = chosen_period(Programme.objects.get(code=JINING_PROGRAMME), None, None)
    seen = Report.objects.for_user(jining).filter(period=period)
    names = dict(Region.objects.filter(code__startswith="3708").values_list("name", "code"))
    assert stack.categories[0] == "济宁市本级" and len(stack.categories) > 3
    assert [s.name for s in stack.series] == ["省级审核通过", "市级审核通过", "已提交", "退回", "草稿", "未报"]
    assert set(stack.links) == {f"/monitoring/periods/{period.pk}/"}
    for category in stack.categories[1:]:
        code = names[category]
        reports = seen.filter(cluster__regions=code) | seen.filter(region=code)
        expected = _matrix_counts(period, reports)
        assert list(_column(stack, category).values()) == [expected[s] for s in STATUSES], category
        done = sum(expected[s] for s in STATUSES[:3])
        assert _column(rates, category)["完整率（已报送/应报）"] == (Decimal(done) * 100 / reports.count()).quantize(
            Decimal("0.1"))
    # the city's own 综合表 is its 本级; every cluster lies in counties
    assert sum(_column(stack, "济宁市本级").values()) == seen.filter(region="370800").count() == 1


def test_province_reporting_matches_the_matrix_by_city_and_the_quality_scores_timeliness():
    sheng = _user("sheng")
    charts = _panels(sheng, "370000", PROVINCE_PROGRAMME)
    stack, rates = charts["reporting"], charts["timeliness"]
    period = chosen_period(Programme.objects.get(code=PROVINCE_PROGRAMME), None, None)
    seen = Report.objects.for_user(sheng).filter(period=period)
    names = dict(Region.objects.filter(code__endswith="00").exclude(code="370000").values_list("name", "code"))
    # the programme's clusters lie in cities (the demo places them), a cluster in each of its cities; the
    # province's own 综合表 is its 本级
    assert stack.categories[0] == "山东省本级" and len(stack.categories) > 1
    assert sum(_column(stack, "山东省本级").values()) == seen.filter(region="370000").count() == 1
    for category in stack.categories[1:]:
        expected = _matrix_counts(period, seen.filter(cluster__regions=names[category]))
        assert list(_column(stack, category).values()) == [expected[s] for s in STATUSES], category
    scored = [q.parts["timeliness"].value for unit in units_quality(period_reports(period, sheng))
              for report, q in unit.reports if q.parts["timeliness"].value is not None and report.region_id == "370000"]
    shown = _column(rates, "山东省本级")["及时率（按时报送/已到期）"]
    assert f"{shown}%" == percent(sum(scored) / len(scored))


def test_ranking_is_the_latest_published_runs_rows_in_the_region_by_rank():
    rencheng = _user("rencheng")
    chart = _panels(rencheng, "370811")["ranking"]
    run = runs_for(rencheng).filter(status=RunStatus.PUBLISHED).order_by("-year", "-published_at").first()
    rows = [r for r in rows_for(rencheng, run) if r.score is not None
            and (r.project.region_id if r.project_id else r.region_id if r.region_id else "370811") == "370811"]
    assert rows and chart.categories == [r.subject_name for r in rows]
    assert chart.series[0].values == [r.score for r in rows]
    assert chart.links == [f"/evaluation/runs/{run.pk}/explain/?{r.subject_query}" for r in rows]
    assert run.scheme.name in chart.note and str(run.year) in chart.note
    sheng_rows = _panels(_user("sheng"), "370000")["ranking"]
    assert len(sheng_rows.categories) == len([r for r in rows_for(_user("sheng"), run) if r.score is not None])


def test_pipeline_counts_are_the_projects_the_user_sees_in_the_region():
    jining = _user("jining")
    charts = _panels(jining, "370800")
    visible = Project.objects.for_user(jining).filter(region__code__startswith="3708")
    assert charts["pipeline"].series[0].values == [visible.filter(stage=s).count() for s in PIPELINE_STAGES]
    assert charts["pipeline"].links[0] == "/projects/?region=370800&stage=planning"
    assert Stage.WITHDRAWN not in PIPELINE_STAGES
    rencheng = _panels(_user("rencheng"), "370811")
    assert sum(rencheng["pipeline"].series[0].values) == Project.objects.for_user(_user("rencheng")).exclude(
        stage=Stage.WITHDRAWN).count()


def test_weakest_links_are_the_chain_analysis_ratings_missing_first():
    jining = _user("jining")
    chart = _panels(jining, "370800")["weakest"]
    assert 0 < len(chart.categories) <= 10
    labels = dict(Rating.choices)
    ratings = []
    for category, link in zip(chart.categories, chart.links, strict=True):
        chain = Chain.objects.get(pk=int(link.split("/")[2]))
        code = link.split("#segment-")[1]
        verdict = analyse_chain(chain).by_code()[code]
        assert category == f"{chain.name} · {verdict.code} {verdict.name}（{labels[verdict.rating]}）"
        assert chain.region_id.startswith("3708")
        ratings.append(verdict.rating)
    assert ratings == sorted(ratings, key=[Rating.MISSING, Rating.WEAK].index)


def test_panels_show_only_what_the_user_sees_and_leave_out_what_has_no_data():
    jinan = _user("jinan")
    seen = {str(pk) for pk in Cluster.objects.for_user(jinan).values_list("pk", flat=True)}

    def shows_only_jinans_clusters(ranking) -> bool:
        return ranking is None or all(link.rsplit("cluster=", 1)[1] in seen for link in ranking.links)

    # nothing of Jining's reports, projects or chains; of the published province-wide ranking only the clusters
    # Jinan shares with Jining (the demo places SD-2023-185's 食品 in both)
    jining = _panels(jinan, "370800", JINING_PROGRAMME)
    assert set(jining) <= {"ranking"} and shows_only_jinans_clusters(jining.get("ranking"))
    own = _panels(jinan, "370100", JINING_PROGRAMME)
    assert "reporting" not in own and "weakest" not in own and shows_only_jinans_clusters(own.get("ranking"))
    assert own["pipeline"].series[0].values == [
        Project.objects.for_user(jinan).filter(stage=s).count() for s in PIPELINE_STAGES]
    assert "weakest" not in _panels(_user("rencheng"), "370811")  # no chain homed in the county


def test_page_gives_each_chart_as_excel_audited():
    rencheng = client_for(_user("rencheng"))
    page = rencheng.get("/dashboards/panels/")  # the user's own county
    assert page.status_code == 200 and page.content.decode().count("data-jchart") >= 3
    chart = _panels(_user("rencheng"), "370811")["pipeline"]
    download = rencheng.get("/dashboards/panels/?chart=pipeline")
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = read_sheet(download.content, "图表数据")
    assert rows[0][0] == chart.title
    assert [(r[0], int(r[1])) for r in rows[2:2 + len(chart.categories)]] == list(
        zip(chart.categories, chart.series[0].values, strict=True))
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id="pipeline", actor_name="rencheng").exists()
    assert rencheng.get("/dashboards/panels/?chart=nothing").status_code == 404


def test_bad_parameters_answer_400_naming_each_and_other_regions_404():
    sheng = client_for(_user("sheng"))
    bad = sheng.get("/dashboards/panels/?year=20x6&quarter=9&region=379999&programme=NOPE")
    assert bad.status_code == 400
    text = bad.content.decode()
    for name in ("year", "quarter", "region", "programme"):
        assert f"参数 {name}" in text
    assert "379999" in text and "NOPE" in text
    alone = sheng.get("/dashboards/panels/?quarter=2")
    assert alone.status_code == 400 and "须同时给出年份" in alone.content.decode()
    assert client_for(_user("jinan")).get("/dashboards/panels/?region=370800").status_code == 404
    assert client_for(_user("jiqun_org")).get("/dashboards/panels/").status_code == 404  # no region totals


def test_the_region_choice_offers_only_the_users_regions():
    page = client_for(_user("jinan")).get("/dashboards/panels/").content.decode()
    assert 'value="370100"' in page and 'value="370800"' not in page and 'value="370000"' not in page
