"""The quarterly project dispatch: opened with the period, filed, refused by its checks, approved along the statistics
reports' chain, the stage and constraints applied on the province's approval, and scoped like the projects."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for
from jiqun.monitoring.models import ReportStatus
from jiqun.projects.dispatch_selectors import completed_investment
from jiqun.projects.dispatch_services import (
    dispatch_approve_city,
    dispatch_approve_for_city,
    dispatch_approve_province,
    dispatch_period_open,
    dispatch_return,
    dispatch_save,
    dispatch_submit,
)
from jiqun.projects.models import Constraint, Dispatch, DispatchEvent, Project, Stage
from jiqun.projects.services import project_move_stage
from jiqun.projects.tests.dispatch_helpers import TODAY, YEAR, dispatch_of, make_project, open_period, user

pytestmark = pytest.mark.django_db


def _file(dispatch, actor, **values):
    fields = {"completed_ytd": Decimal("20000"), "progress": "主体厂房完成 60%", "stage_to": "", "stage_on": None,
              "stage_evidence": "", "new_constraints": []}
    fields.update(values)
    dispatch.refresh_from_db()
    return dispatch_save(actor=actor, dispatch=dispatch, base_version=dispatch.version, **fields)


def _audits(obj) -> int:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).exclude(
        action="denied").count()


def test_opening_a_period_opens_a_dispatch_for_every_active_project():
    active = make_project()
    produced = make_project(name="已投产项目")
    for stage in (Stage.RESERVE, Stage.STARTED, Stage.COMPLETED, Stage.PRODUCING):
        project_move_stage(actor=user("sheng"), project=produced, to_stage=stage, reached_on=TODAY)
    period = open_period(1)
    assert set(period.dispatches.values_list("project", flat=True)) >= {active.pk}
    assert not period.dispatches.filter(project=produced).exists()
    late = make_project(name="后入库项目")
    assert dispatch_period_open(actor=user("sheng"), period=period) == 1
    assert period.dispatches.filter(project=late, status=ReportStatus.DRAFT).exists()
    with pytest.raises(PermissionDenied):
        dispatch_period_open(actor=user("jining"), period=period)


def test_a_quarter_is_filed_approved_and_its_stage_and_constraints_reach_the_project():
    project = make_project()
    period = open_period(1)
    dispatch = dispatch_of(project, period)
    county, city, province = user("rencheng"), user("jining"), user("sheng")
    constraint = {"kind": "land", "description": "新增用地指标 200 亩未落实", "responsible_unit": "济宁市自然资源和规划局",
                  "deadline": (TODAY + datetime.timedelta(days=60)).isoformat()}
    _file(dispatch, county, stage_to=Stage.RESERVE, stage_on=TODAY, stage_evidence="入库批复",
          new_constraints=[constraint])
    dispatch_submit(actor=county, dispatch=dispatch)
    assert Project.objects.get(pk=project.pk).stage == Stage.PLANNING  # nothing applied before the province
    dispatch_approve_city(actor=city, dispatch=dispatch)
    assert completed_investment(project, YEAR).value == Decimal("20000")
    assert Project.objects.get(pk=project.pk).stage == Stage.PLANNING
    dispatch_approve_province(actor=province, dispatch=dispatch, comment="同意")
    dispatch.refresh_from_db()
    assert dispatch.status == ReportStatus.PROVINCE_APPROVED
    project.refresh_from_db()
    assert project.stage == Stage.RESERVE and dispatch.stage_event.reached_on == TODAY
    assert dispatch.stage_event.actor == province and dispatch.stage_event.evidence == "入库批复"
    raised = Constraint.objects.get(project=project)
    assert raised.kind == "land" and raised.responsible_unit == "济宁市自然资源和规划局"
    assert list(DispatchEvent.objects.filter(dispatch=dispatch).values_list("action", flat=True)) == [
        "submit", "approve_city", "approve_province"]
    assert _audits(dispatch) == 4  # the save and three moves, one entry each
    found = completed_investment(project, YEAR)
    assert found.value == Decimal("20000") and "1-3月" in found.source and "省级审核通过" in found.source
    assert completed_investment(project, YEAR + 1).value is None


def test_nothing_approved_means_no_completed_investment_with_a_reason():
    project = make_project()
    open_period(1)
    found = completed_investment(project, YEAR)
    assert found.value is None and "没有审核通过的项目调度" in found.source


@pytest.mark.parametrize(("values", "column", "words"), [
    ({"completed_ytd": Decimal("300001")}, "本年累计完成投资（万元）", "大于项目总投资 300000"),
    ({"completed_ytd": Decimal("-1")}, "本年累计完成投资（万元）", "不能小于 0"),
    ({"stage_to": Stage.STARTED, "stage_on": TODAY}, "本期达到阶段", "不能直接转为“开工”"),
    ({"stage_to": Stage.RESERVE, "stage_on": TODAY + datetime.timedelta(days=2)}, "达到日期", "晚于今天"),
    ({"stage_to": Stage.RESERVE, "stage_on": None}, "达到日期", "须填写达到日期"),
    ({"new_constraints": [{"kind": "weather", "description": "x", "responsible_unit": "y", "deadline": "2027-01-01"}]},
     "新增要素制约", "第 1 条制约类型“weather”"),
    ({"new_constraints": [{"kind": "land", "description": "", "responsible_unit": "y", "deadline": ""}]},
     "新增要素制约", "第 1 条须填写问题描述"),
])
def test_each_check_refuses_naming_the_project_and_the_column_and_changes_nothing(values, column, words):
    project = make_project()
    dispatch = dispatch_of(project, open_period(1))
    with pytest.raises(ValidationError) as refused:
        _file(dispatch, user("rencheng"), **values)
    message = " ".join(refused.value.messages)
    assert f"项目“{project.name}”（{project.code}）“{column}”" in message and words in message
    dispatch.refresh_from_db()
    assert dispatch.completed_ytd is None and dispatch.version == 1 and _audits(dispatch) == 0


def test_a_submission_needs_the_figure_and_the_progress():
    dispatch = dispatch_of(make_project(), open_period(1))
    with pytest.raises(ValidationError) as refused:
        dispatch_submit(actor=user("rencheng"), dispatch=dispatch)
    assert "“本年累计完成投资（万元）”：未填报" in " ".join(refused.value.messages)
    assert "“形象进度”：未填写" in " ".join(refused.value.messages)
    assert Dispatch.objects.get(pk=dispatch.pk).status == ReportStatus.DRAFT


def test_year_to_date_never_falls_below_the_previous_quarter():
    project = make_project()
    first = dispatch_of(project, open_period(1))
    _file(first, user("rencheng"), completed_ytd=Decimal("5000"))
    dispatch_submit(actor=user("rencheng"), dispatch=first)
    second = dispatch_of(project, open_period(2))
    with pytest.raises(ValidationError, match="4000 万元低于本年1-3月已报的 5000.00 万元；本年累计数不能下降"):
        _file(second, user("rencheng"), completed_ytd=Decimal("4000"))
    _file(second, user("rencheng"), completed_ytd=Decimal("9000"))
    assert Dispatch.objects.get(pk=second.pk).completed_ytd == Decimal("9000")


def test_a_stage_the_project_reached_since_is_refused_at_the_province_and_nothing_is_approved():
    project = make_project()
    dispatch = dispatch_of(project, open_period(1))
    _file(dispatch, user("rencheng"), stage_to=Stage.RESERVE, stage_on=TODAY)
    dispatch_submit(actor=user("rencheng"), dispatch=dispatch)
    dispatch_approve_city(actor=user("jining"), dispatch=dispatch)
    project_move_stage(actor=user("sheng"), project=project, to_stage=Stage.RESERVE, reached_on=TODAY)
    with pytest.raises(ValidationError, match="“本期达到阶段”不能登记"):
        dispatch_approve_province(actor=user("sheng"), dispatch=dispatch)
    assert Dispatch.objects.get(pk=dispatch.pk).status == ReportStatus.CITY_APPROVED


def test_a_county_files_its_own_projects_only_and_a_city_approves_its_counties():
    own = make_project()
    elsewhere = make_project(name="兖州区项目", region="370812")
    period = open_period(1)
    county = user("rencheng")
    seen = Dispatch.objects.for_user(county).filter(period=period).select_related("project")
    assert own.pk in {d.project_id for d in seen} and {d.project.region_id for d in seen} == {"370811"}
    assert set(Dispatch.objects.for_user(user("jining")).filter(period=period).values_list("project", flat=True)) >= {
        own.pk, elsewhere.pk}
    assert not Dispatch.objects.for_user(user("jinan")).filter(period=period).exists()
    with pytest.raises(PermissionDenied):
        _file(dispatch_of(elsewhere, period), county)
    dispatch = dispatch_of(own, period)
    _file(dispatch, county)
    dispatch_submit(actor=county, dispatch=dispatch)
    with pytest.raises(PermissionDenied):
        dispatch_approve_city(actor=county, dispatch=dispatch)  # a county does not approve
    with pytest.raises(PermissionDenied):
        dispatch_approve_city(actor=user("jinan"), dispatch=dispatch)  # another city does not either
    with pytest.raises(PermissionDenied):
        dispatch_approve_city(actor=user("sheng"), dispatch=dispatch)  # the province stands in only with a reason
    dispatch_approve_city(actor=user("jining"), dispatch=dispatch)
    assert Dispatch.objects.get(pk=dispatch.pk).status == ReportStatus.CITY_APPROVED


def test_the_filler_may_not_approve_and_the_province_stands_in_with_a_reason():
    dispatch = dispatch_of(make_project(), open_period(1))
    city = user("jining")
    _file(dispatch, city)  # a city officer may file its counties' dispatch
    dispatch_submit(actor=city, dispatch=dispatch)
    with pytest.raises(PermissionDenied, match="填报与审核分离"):
        dispatch_approve_city(actor=city, dispatch=dispatch)
    with pytest.raises(ValidationError, match="理由"):
        dispatch_approve_for_city(actor=user("sheng"), dispatch=dispatch, reason=" ")
    dispatch_approve_for_city(actor=user("sheng"), dispatch=dispatch, reason="市级专班出差")
    dispatch_return(actor=user("sheng"), dispatch=dispatch, reason="请补充形象进度照片")
    dispatch.refresh_from_db()
    assert dispatch.status == ReportStatus.RETURNED and dispatch.editable


def test_a_stale_version_is_refused():
    dispatch = dispatch_of(make_project(), open_period(1))
    _file(dispatch, user("rencheng"))
    with pytest.raises(ValidationError, match="请刷新后重新填写"):
        dispatch_save(actor=user("rencheng"), dispatch=dispatch, base_version=1, completed_ytd=Decimal("1"))


# --- the pages -----------------------------------------------------------------------------------------

def test_the_page_files_a_dispatch_and_refuses_bad_input_naming_the_field():
    project = make_project()
    period = open_period(1)
    dispatch = dispatch_of(project, period)
    client = client_for(user("rencheng"))
    url = f"/projects/dispatch/{dispatch.pk}/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"version": 1, "completed_ytd": "两万", "progress": "x", "action": "save"}, follow=True)
    assert "本年累计完成投资（万元）" in bad.content.decode() and "有填写错误，未保存" in bad.content.decode()
    over = client.post(url, {"version": 1, "completed_ytd": "400000", "progress": "x", "action": "save"}, follow=True)
    assert f"项目“{project.name}”（{project.code}）“本年累计完成投资（万元）”" in over.content.decode()
    assert Dispatch.objects.get(pk=dispatch.pk).version == 1
    done = client.post(url, {"version": 1, "completed_ytd": "12000", "progress": "设备安装", "action": "submit",
                             "c-0-kind": "energy", "c-0-description": "能耗指标缺口 2 万吨标煤",
                             "c-0-responsible_unit": "济宁市发展改革委", "c-0-deadline": "2027-06-30"})
    assert done.status_code == 302
    dispatch.refresh_from_db()
    assert dispatch.status == ReportStatus.SUBMITTED and dispatch.new_constraints[0]["kind"] == "energy"
    matrix = client_for(user("jining")).get(f"/projects/dispatch/periods/{period.pk}/")
    assert project.name in matrix.content.decode() and "region-matrix" in matrix.content.decode()
    assert client_for(user("jinan")).get(url).status_code == 404
    assert client_for(user("lingdao")).post(url, {"action": "save"}).status_code == 403


def test_the_reminder_list_names_the_projects_not_yet_submitted():
    import io

    from python_calamine import CalamineWorkbook

    project = make_project()
    period = open_period(1)
    response = client_for(user("jining")).get(f"/projects/dispatch/periods/{period.pk}/reminders.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    names = [row[0] for row in rows[2:]]
    assert f"{project.code} {project.name}" in names


def test_the_pages_work_in_the_english_ui():
    from django.conf import settings

    project = make_project()
    period = open_period(1)
    dispatch = dispatch_of(project, period)
    client = client_for(user("rencheng"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for url in (f"/projects/dispatch/{dispatch.pk}/", f"/projects/dispatch/periods/{period.pk}/",
                f"/projects/dispatch/periods/{period.pk}/progress/", "/projects/dispatch/"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Language"] == "en"
    refused = client.post(f"/projects/dispatch/{dispatch.pk}/", {"version": 1, "completed_ytd": "400000",
                                                                 "action": "save"}, follow=True)
    assert refused.status_code == 200 and project.code in refused.content.decode()
    assert Dispatch.objects.get(pk=dispatch.pk).version == 1


def test_the_demo_files_dispatches_of_projects_with_a_plan():
    from jiqun.projects.dispatch_demo import demo_dispatches

    project = make_project()
    period = open_period(3)
    assert demo_dispatches() >= 1
    dispatch = dispatch_of(project, period)
    assert dispatch.completed_ytd is not None and dispatch.progress.endswith("（演示数据）")
