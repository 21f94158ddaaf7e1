"""The project library in Excel: template → fill → import → export round trip, all-or-nothing imports with every
problem by sheet, row and column, stage moves through the service, optimistic locking, and scoping."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from jiqun.audit.models import AuditEvent
from jiqun.clusters.services import cluster_create
from jiqun.projects import excel as X
from jiqun.projects.excel import export_for, template_for
from jiqun.projects.importer import import_projects
from jiqun.projects.models import Project, Stage, StageEvent
from jiqun.projects.tests.excel_helpers import fill, read_rows
from jiqun.projects.tests.fixtures import make_programme, make_project, make_zone
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.date.today()  # read once at import: a "future" day in these tests is two days on, so a run across midnight holds


@pytest.fixture
def place():
    """A cluster and a park of Rencheng (任城区, in Jining) of the test's own."""
    programme = make_programme("P-XL")
    cluster = cluster_create(actor=None, programme=programme, code="xl-1", name="测试导入集群",
                             regions=[Region.objects.get(code="370811")])
    return cluster, make_zone("测试导入园区", region="370811")


def _new(code: str, **extra) -> dict:
    row = {"code": code, "name": f"新项目{code}", "clusters": "测试导入集群", "region": "任城区", "zone": "测试导入园区",
           "investor": "某新材料有限公司", "total_investment": 320000, "year_plan": 50000, "kind": "招商引资项目",
           "is_major": "是", "major_level": "市级重大项目", "leader": "张三", "service_unit": "任城区发改局",
           "source": "2024年招商签约", "signed_on": D(2024, 3, 15), "stage": "开工", "planning_on": D(2024, 1, 10),
           "reserve_on": D(2024, 4, 1), "started_on": D(2024, 9, 1), "planned_completion_on": D(2026, 6, 30),
           "description": "年产10万吨新材料"}
    row.update(extra)
    return row


def _problems(result) -> list[tuple[int, str, str]]:
    return [(p.row, p.column, p.reason) for p in result.problems]


def test_a_filled_template_round_trips_through_import_and_export(jining_officer, place):
    cluster, zone = place
    old = make_project(name="已在库项目", yi="12", region="370811", zone=zone, clusters=[cluster], code="XL-OLD",
                       entered=D(2023, 5, 1), stages={"reserve": D(2023, 8, 1)})
    template = template_for(jining_officer)
    assert any(r["code"] == "XL-OLD" and r["stage"] == "储备" for r in read_rows(template))
    filled = fill(template, change={"XL-OLD": {"name": "已在库项目（扩建）", "started_on": D(2024, 2, 1), "stage": "开工"}},
                  add=[_new("XL-001"), _new("XL-002", clusters="", zone="", stage="谋划", reserve_on=None,
                                            started_on=None, is_major="否", major_level="", signed_on=None)])
    result = import_projects(user=jining_officer, content=filled, file_name="项目库.xlsx")
    assert result.ok, _problems(result)
    assert sorted(result.created) == ["XL-001", "XL-002"] and "XL-OLD" in result.updated
    assert result.moves == 3  # XL-OLD 储备→开工; XL-001 谋划→储备→开工

    exported = {r["code"]: r for r in read_rows(export_for(jining_officer, {"region": "370811"})[0])}
    filled_rows = {r["code"]: r for r in read_rows(filled)}
    for code in ("XL-OLD", "XL-001", "XL-002"):
        mine = {k: v for k, v in filled_rows[code].items() if k != "version"}
        theirs = {k: v for k, v in exported[code].items() if k != "version"}
        assert theirs == mine, code
    project = Project.objects.get(code="XL-001")
    assert project.stage == Stage.STARTED and project.zone == zone and list(project.clusters.all()) == [cluster]
    assert project.total_investment == Decimal("320000") and project.year_plans.get().planned == Decimal("50000")
    assert StageEvent.objects.filter(project=old, to_stage=Stage.STARTED, reached_on=D(2024, 2, 1),
                                     evidence="项目库导入").exists()


def test_importing_the_same_file_again_changes_nothing(jining_officer, place):
    cluster, _zone = place
    make_project(name="不变的项目", yi="3", region="370811", clusters=[cluster], code="XL-SAME")
    template = template_for(jining_officer)
    before = AuditEvent.objects.exclude(action="denied").count()
    result = import_projects(user=jining_officer, content=fill(template), file_name="原样.xlsx")
    assert result.ok and not result.created and not result.updated and "XL-SAME" in result.unchanged
    assert AuditEvent.objects.exclude(action="denied").count() == before + 1  # the import itself only


def test_one_bad_row_refuses_the_whole_file_naming_every_problem_by_row_and_column(jining_officer, place):
    cluster, zone = place
    make_project(name="在库", yi="1", region="370811", code="XL-DUP")
    template = template_for(jining_officer)
    rows = read_rows(template)
    first = X.FIRST_DATA_ROW + len(rows) + 1  # the first added row, as Excel numbers it
    filled = fill(template, add=[
        _new("XL-101"),  # a good row: not written either
        _new("XL-102", total_investment="三十亿"),  # bad number
        _new("XL-103", region="历下区"),  # a region of Jinan: outside the user's scope
        _new("XL-104", zone="不存在的园区"),
        _new("XL-101"),  # duplicate code within the file
        _new("XL-106", reserve_on=None, stage="开工"),  # 开工 without 储备: a stage jump
        _new("XL-107", clusters="别人的集群"),
        _new("XL-108", signed_on="2024-13-45"),
    ])
    count = Project.objects.count()
    result = import_projects(user=jining_officer, content=filled, file_name="有错.xlsx")
    assert not result.ok and Project.objects.count() == count
    found = {(row, column) for row, column, _reason in _problems(result)}
    letter = X.column_letter
    assert (first + 1, letter("total_investment")) in found
    assert (first + 2, letter("region")) in found
    assert (first + 3, letter("zone")) in found
    assert (first + 4, letter("code")) in found
    assert (first + 5, letter("started_on")) in found
    assert (first + 6, letter("clusters")) in found
    assert (first + 7, letter("signed_on")) in found
    assert not any(row == first for row, _c in found)  # the good row has no problem, and was not written
    assert not Project.objects.filter(code="XL-101").exists()
    reasons = " ".join(p.reason for p in result.problems)
    assert "三十亿" in reasons and "历下区" in reasons and "逐级推进" in reasons and "第" in str(result.problems[0])


def test_the_problems_speak_english_in_the_english_ui(jining_officer):
    # The row messages of this importer reach the English catalogue at merge; the file's own refusals are there.
    count = Project.objects.count()
    with translation.override("en"):
        result = import_projects(user=jining_officer, content=b"name,code\n", file_name="list.csv")
    assert [str(p) for p in result.problems] == [
        "File “list.csv” is not an Excel workbook in .xlsx format; please download the template, fill it in and "
        "upload it"]
    assert Project.objects.count() == count


def test_a_recorded_stage_date_cannot_be_changed_and_a_suspended_project_cannot_move(jining_officer, place):
    moved = make_project(name="已开工", yi="5", region="370811", code="XL-ST", entered=D(2023, 1, 1),
                         stages={"reserve": D(2023, 3, 1)})
    paused = make_project(name="停缓建", yi="5", region="370811", code="XL-SU", entered=D(2023, 1, 1),
                          stages={"reserve": D(2023, 3, 1), "suspended": D(2023, 6, 1)})
    template = template_for(jining_officer)
    filled = fill(template, change={"XL-ST": {"reserve_on": D(2023, 4, 1)}, "XL-SU": {"started_on": D(2024, 1, 1)}})
    result = import_projects(user=jining_officer, content=filled, file_name="改日期.xlsx")
    problems = {(p.column, p.reason.split("，")[0]) for p in result.problems}
    assert any(c == X.column_letter("reserve_on") for c, _r in problems)
    assert any(c == X.column_letter("started_on") and "停缓建" in r for c, r in problems)
    assert Project.objects.get(pk=moved.pk).version == moved.version
    assert Project.objects.get(pk=paused.pk).stage == Stage.SUSPENDED


def test_a_row_edited_since_download_is_refused_as_stale(jining_officer, place):
    from jiqun.projects.services import project_update

    project = make_project(name="并发修改", yi="5", region="370811", code="XL-VER")
    template = template_for(jining_officer)
    project_update(actor=jining_officer, project=project, base_version=project.version, leader="李四")
    result = import_projects(user=jining_officer, content=fill(template, change={"XL-VER": {"leader": "王五"}}),
                             file_name="旧模板.xlsx")
    assert [(p.column, "版本" in p.reason) for p in result.problems] == [(X.column_letter("version"), True)]
    assert Project.objects.get(pk=project.pk).leader == "李四"


def test_each_persona_imports_and_exports_only_inside_its_scope(jining_officer, jinan_officer, place):
    make_project(name="济宁的项目", yi="5", region="370811", code="XL-JN")
    assert "XL-JN" in {r["code"] for r in read_rows(export_for(jining_officer, {})[0])}
    assert "XL-JN" not in {r["code"] for r in read_rows(export_for(jinan_officer, {})[0])}
    # Jinan's template has no Jining region to choose, and a row naming one (or Jining's project) is refused.
    template = template_for(jinan_officer)
    result = import_projects(user=jinan_officer, content=fill(template, add=[
        _new("XL-JN", region="历下区", clusters="", zone=""), _new("XL-JN2", region="任城区", clusters="", zone="")]),
        file_name="越权.xlsx")
    assert not result.ok
    assert {p.column for p in result.problems} >= {X.column_letter("code"), X.column_letter("region")}
    assert Project.objects.get(code="XL-JN").name == "济宁的项目"


def test_a_county_officer_cannot_import_into_another_county(place):
    from jiqun.accounts.models import User

    rencheng = User.objects.get(username="rencheng")
    result = import_projects(user=rencheng, content=fill(template_for(rencheng), add=[
        _new("XL-ZC", region="邹城市", clusters="", zone="")]), file_name="邹城.xlsx")
    assert [p.column for p in result.problems] == [X.column_letter("region")]


def test_the_export_follows_the_list_filters(jining_officer, place):
    make_project(name="谋划项目", yi="5", region="370811", code="XL-F1")
    make_project(name="储备项目", yi="5", region="370811", code="XL-F2", stages={"reserve": TODAY})
    codes = {r["code"] for r in read_rows(export_for(jining_officer, {"stage": "reserve", "q": "XL-F"})[0])}
    assert codes == {"XL-F2"}
    _content, problems = export_for(jining_officer, {"stage": "nonsense"})
    assert "stage" in problems


def test_amounts_and_dates_are_read_as_users_type_them(jining_officer, place):
    row = _new("XL-TYPED", total_investment="3.2亿元", year_plan="１，２００", signed_on="2024年3月5日",
               planning_on="2024/1/2", reserve_on=None, started_on=None, stage="")
    result = import_projects(user=jining_officer, content=fill(template_for(jining_officer), add=[row],
                                                                drop_others=True), file_name="手填.xlsx")
    assert result.ok, _problems(result)
    project = Project.objects.get(code="XL-TYPED")
    assert project.total_investment == Decimal("32000") and project.signed_on == D(2024, 3, 5)
    assert project.year_plans.get().planned == Decimal("1200")
    assert project.events.get().reached_on == D(2024, 1, 2)
