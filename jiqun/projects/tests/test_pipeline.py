"""The pipeline: projects by stage per cluster and per region, investment and this year's plan, checked against a
hand count of the test's own projects; the page, its chart data as Excel, and the project-count targets on it."""

import datetime
import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jiqun.clusters.services import cluster_create
from jiqun.conftest import client_for
from jiqun.projects.models import Project, Stage
from jiqun.projects.pipeline import chart_data, completed_investment, pipeline, rule_of_twenty
from jiqun.projects.services import project_plan_year
from jiqun.projects.tests.fixtures import make_programme, make_project, make_project_target, make_zone
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR = datetime.date.today().year


@pytest.fixture
def library(province_admin):
    """Two clusters; five projects of Rencheng and Zoucheng at different stages, one withdrawn, one in both."""
    programme = make_programme("P-PIPE")
    a = cluster_create(actor=None, programme=programme, code="pipe-a", name="管线集群甲",
                       regions=[Region.objects.get(code="370811")])
    b = cluster_create(actor=None, programme=programme, code="pipe-b", name="管线集群乙",
                       regions=[Region.objects.get(code="370883")])
    day = D(2024, 1, 1)
    projects = [
        make_project(name="甲谋划", yi="1", region="370811", clusters=[a]),
        make_project(name="甲开工", yi="2", region="370811", clusters=[a],
                     stages={"reserve": day, "started": D(2024, 6, 1)}),
        make_project(name="甲乙投产", yi="3", region="370883", clusters=[a, b],
                     stages={"reserve": day, "started": D(2024, 2, 1), "completed": D(2024, 5, 1),
                             "producing": D(2024, 9, 1)}),
        make_project(name="乙停缓建", yi="4", region="370883", clusters=[b],
                     stages={"reserve": day, "suspended": D(2024, 3, 1)}),
        make_project(name="乙退出", yi="5", region="370883", clusters=[b], stages={"withdrawn": day}),
        make_project(name="无集群储备", yi="6", region="370811", stages={"reserve": day}),
    ]
    project_plan_year(actor=province_admin, project=projects[1], year=YEAR, planned=Decimal("8000"))
    project_plan_year(actor=province_admin, project=projects[2], year=YEAR, planned=Decimal("2000"))
    return a, b, projects


def test_the_pipeline_counts_by_stage_per_cluster_and_region_as_by_hand(library):
    a, b, projects = library
    pipe = pipeline(Project.objects.filter(pk__in=[p.pk for p in projects]), year=YEAR)
    clusters = {g.name: g for g in pipe.by_cluster}
    # 甲: 谋划 1, 开工 1, 投产 1 (甲乙投产 counts in both clusters); 乙: 投产 1, 停缓建 1 (退出 not shown).
    assert clusters["管线集群甲"].stages == {**dict.fromkeys(clusters["管线集群甲"].stages, 0), Stage.PLANNING: 1,
                                          Stage.STARTED: 1, Stage.PRODUCING: 1}
    assert clusters["管线集群乙"].stage_counts == [0, 0, 0, 0, 1, 1]
    assert clusters["未关联集群"].stage_counts == [0, 1, 0, 0, 0, 0]
    assert clusters["管线集群甲"].total_investment == Decimal("60000")  # 1 + 2 + 3 亿元
    assert clusters["管线集群甲"].producing_investment == Decimal("30000")
    regions = {g.key: g for g in pipe.by_region}
    assert regions["370811"].count == 3 and regions["370883"].count == 2  # withdrawn left out
    assert pipe.total.count == 5 and pipe.total.total_investment == Decimal("160000")
    assert pipe.total.planned == Decimal("10000")
    assert pipe.total.completed is None and pipe.total.completion_rate is None  # no dispatch yet
    assert "调度" in pipe.completed_reason
    chart = chart_data(pipe.by_cluster)  # bars by name (乙 sorts before 甲), the clusterless last
    assert chart["names"] == ["管线集群乙", "管线集群甲", "未关联集群"]
    assert chart["series"][0] == {"name": "谋划", "data": [0, 1, 0]}
    assert dict((g.name, gap) for g, gap in rule_of_twenty(pipe.by_cluster)) == {"管线集群甲": 17, "管线集群乙": 18}


def test_completed_investment_says_it_comes_from_the_dispatch(library):
    _a, _b, projects = library
    answer = completed_investment(projects[1], YEAR)
    assert answer.value is None and "季度调度" in answer.reason


def test_a_city_sees_counties_and_the_province_cities(library, jining_officer, province_admin):
    _a, _b, projects = library
    page = client_for(jining_officer).get("/projects/pipeline/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "管线集群甲" in text and 'data-chart="pipeline"' in text and "<script>" not in text
    assert "任城区" in text and "邹城市" in text
    assert "济宁市" in client_for(province_admin).get("/projects/pipeline/").content.decode()


def test_the_jinan_officer_does_not_see_jinings_pipeline(library, jinan_officer):
    text = client_for(jinan_officer).get("/projects/pipeline/").content.decode()
    assert "管线集群甲" not in text


def test_a_bad_year_is_named_and_the_page_still_shows(jining_officer):
    page = client_for(jining_officer).get("/projects/pipeline/", {"year": "明年"})
    assert page.status_code == 200 and "明年" in page.content.decode() and 'id="year-problem"' in page.content.decode()


def test_the_chart_data_downloads_as_excel_with_the_target_counts(library, jining_officer):
    zone = make_zone("管线化工园", region="370811")
    make_project(name="园区大项目", yi="40", region="370811", zone=zone, signed=D(2021, 5, 1))
    programme = make_programme("P-PIPE-T")
    make_project_target(programme, "T37", subject="park", value=2, year=2023,
                        params={"min_investment": 30, "unit": "亿元"}, label="每个化工园区引进投资30亿元以上项目数")
    response = client_for(jining_officer).get("/projects/pipeline/export.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    by_cluster = book.get_sheet_by_name("按集群").to_python()
    row = next(r for r in by_cluster if r[0] == "管线集群甲")
    assert row[1:7] == [1, 0, 1, 0, 1, 0]
    counts = book.get_sheet_by_name("目标计数").to_python()
    mine = [r for r in counts if r[2] == "管线化工园"]
    assert mine and mine[0][3] == 1 and "园区大项目" in mine[0][6] and "签约 2021-05-01" in mine[0][8]
    page = client_for(jining_officer).get("/projects/pipeline/").content.decode()
    assert "P-PIPE-T T37" in page and "园区大项目" in page
