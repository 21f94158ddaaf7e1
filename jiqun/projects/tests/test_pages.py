"""The project library's pages per persona: who sees which project, the forms, their bad input and stale edits."""

import datetime

import pytest
from django.conf import settings

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for
from jiqun.projects.models import Constraint, Project, Stage
from jiqun.projects.services import project_update

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()  # read once at import: a "future" day in these tests is two days on, so a run across midnight holds
QIZHOU = "370828-2023-0001"  # 七洲绿色化工项目, 金乡县, 开工
TANSU = "370811-2024-0001"  # 碳素集团…, 任城区, 开工
JIUTIAN = "370811-2025-0001"  # 九天智能…, 任城区, in the cluster organisation's cluster
JINAN = "370100-2025-0001"


def _as(username: str):
    return client_for(User.objects.get(username=username))


def _project(code: str) -> Project:
    return Project.objects.get(code=code)


def _new_form(**extra) -> dict:
    data = {"name": "济宁某新材料项目", "region": "370828", "investor_name": "某外地企业", "total_investment": "50000",
            "kind": "investment", "stage_reached_on": str(TODAY - datetime.timedelta(days=30))}
    data.update(extra)
    return data


@pytest.mark.parametrize(("persona", "seen", "hidden"), [
    ("rencheng", [TANSU, JIUTIAN], [QIZHOU, JINAN]),  # a county: its own
    ("jining", [TANSU, JIUTIAN, QIZHOU], [JINAN]),  # a city: its counties'
    ("jiqun_org", [JIUTIAN], [TANSU, QIZHOU, JINAN]),  # a cluster organisation: its cluster's
    ("jinan", [JINAN], [TANSU, QIZHOU, JIUTIAN]),  # another city: none of Jining's
])
def test_each_persona_sees_its_projects_and_not_the_others(persona, seen, hidden):
    client = _as(persona)
    listing = client.get("/projects/").content.decode()
    for code in seen:
        assert _project(code).name in listing
        assert client.get(f"/projects/{_project(code).pk}/").status_code == 200
    for code in hidden:
        assert _project(code).name not in listing
        assert client.get(f"/projects/{_project(code).pk}/").status_code == 404


def test_the_list_filters_by_stage_region_park_and_search(as_jining):
    suspended = as_jining.get("/projects/", {"stage": Stage.SUSPENDED}).content.decode()
    assert "鱼台张黄乙烯法 PVC 项目" in suspended and "七洲绿色化工项目" not in suspended
    county = as_jining.get("/projects/", {"region": "370811"}).content.decode()
    assert "碳素集团" in county and "七洲绿色化工项目" not in county
    park = _project(QIZHOU).zone
    in_park = as_jining.get("/projects/", {"zone": park.pk}).content.decode()
    assert "七洲绿色化工项目" in in_park and "碳素集团" not in in_park
    found = as_jining.get("/projects/", {"q": "石墨烯"}).content.decode()
    assert "北京石墨烯研究院" in found and "七洲" not in found


def test_a_bad_filter_is_said_and_the_list_still_shows(as_jining):
    response = as_jining.get("/projects/", {"stage": "nonsense"})
    assert response.status_code == 200
    assert "筛选条件有误" in response.content.decode() and "阶段" in response.content.decode()


def test_the_detail_shows_the_timeline_with_late_stages_constraints_plans_and_audit(as_jining):
    project = _project(QIZHOU)
    page = as_jining.get(f"/projects/{project.pk}/").content.decode()
    assert "2024-05-20" in page and "2024-04-30" in page  # 开工: actual against planned
    assert "逾期未达到" in page  # 竣工 planned 2026-06-30, not reached
    assert "新增煤耗指标缺口" in page and "市发展改革委" in page
    assert "120,000" in page or "120000" in page
    assert "储备 → 开工（2024-05-20）" in page  # the audit trail says what each entry changed


def test_a_county_officer_registers_a_project_with_its_first_stage_event():
    client = _as("rencheng")
    response = client.post("/projects/new/", _new_form(region="370811"))
    assert response.status_code == 302
    project = Project.objects.get(name="济宁某新材料项目")
    assert project.stage == Stage.PLANNING and project.code.startswith("370811-")
    assert project.events.get().reached_on == TODAY - datetime.timedelta(days=30)
    assert AuditEvent.objects.filter(object_type="projects.project", object_id=str(project.pk)).exclude(
        action="denied").count() == 1


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"name": ""}, "name", "这个字段是必填项"),
    ({"investor_name": ""}, "investor_name", "请选择名录企业或填写投资主体名称"),
    ({"is_major": "on"}, "major_level", "重大项目须注明级别"),
    ({"total_investment": "-5"}, "total_investment", "总投资不能为负数"),
    ({"planned_start_on": "2027-06-30", "planned_completion_on": "2027-01-01"}, "planned_completion_on", "计划日期须按"),
    ({"stage_reached_on": "2999-01-01"}, "stage_reached_on", "入库日期不能晚于今天"),
])
def test_bad_input_on_the_create_form_names_the_field_and_saves_nothing(as_jining, change, field, message):
    before = Project.objects.count()
    response = as_jining.post("/projects/new/", _new_form(**change))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert Project.objects.count() == before


def test_a_park_outside_the_region_is_refused_on_the_park(as_jining):
    zouchen_park = _project("370883-2022-0001").zone
    response = as_jining.post("/projects/new/", _new_form(zone=zouchen_park.pk))
    assert "不在项目所在区划内" in str(response.context["form"].errors["zone"])


def test_a_stale_edit_says_who_changed_what_and_saves_nothing(as_jining, jining_officer):
    project = _project(QIZHOU)
    form = as_jining.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None and name != "clusters"}
    data["clusters"] = [c.pk for c in project.clusters.all()]
    data["name"] = "七洲绿色化工项目（我的修改）"
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()} | {"version": project.version}
    project_update(actor=jining_officer, project=project, base_version=project.version, leader="另一位领导")
    response = as_jining.post(f"/projects/{project.pk}/edit/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "jining" in page and "包保领导" in page and "您的修改未保存" in page
    assert Project.objects.get(pk=project.pk).name == "七洲绿色化工项目"


def test_an_edit_saves_and_bumps_the_version(as_jining):
    project = _project(QIZHOU)
    form = as_jining.get(f"/projects/{project.pk}/edit/").context["form"]
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in form.initial.items() if v is not None}
    data["clusters"] = [c.pk for c in project.clusters.all()]
    data["leader"] = "新的包保领导"
    data["version"] = version = project.version
    assert as_jining.post(f"/projects/{project.pk}/edit/", data).status_code == 302
    project.refresh_from_db()
    assert project.leader == "新的包保领导" and project.version == version + 1


def test_the_stage_move_form_moves_one_step_and_refuses_jumps_future_dates_and_exits_without_reason(as_jining):
    project = _project(QIZHOU)
    url = f"/projects/{project.pk}/move/"
    jump = as_jining.post(url, {"to_stage": Stage.PRODUCING, "reached_on": str(TODAY), "version": project.version})
    assert "to_stage" in jump.context["form"].errors
    future = as_jining.post(url, {"to_stage": Stage.COMPLETED, "reached_on": str(TODAY + datetime.timedelta(days=2)),
                                  "version": project.version})
    assert "晚于今天" in str(future.context["form"].errors["reached_on"])
    exit_ = as_jining.post(url, {"to_stage": Stage.SUSPENDED, "reached_on": str(TODAY), "version": project.version})
    assert "须填写原因" in str(exit_.context["form"].errors["reason"])
    assert _project(QIZHOU).stage == Stage.STARTED
    done = as_jining.post(url, {"to_stage": Stage.COMPLETED, "reached_on": str(TODAY), "evidence": "竣工验收报告",
                                "version": project.version})
    assert done.status_code == 302
    assert _project(QIZHOU).stage == Stage.COMPLETED
    assert project.events.order_by("-id").first().evidence == "竣工验收报告"


def test_a_stage_move_on_a_stale_page_is_refused(as_jining):
    project = _project(QIZHOU)
    response = as_jining.post(f"/projects/{project.pk}/move/", {
        "to_stage": Stage.COMPLETED, "reached_on": str(TODAY), "version": project.version - 1 or 99})
    assert "您的修改未保存" in response.content.decode()
    assert _project(QIZHOU).stage == Stage.STARTED


def test_the_year_plan_form_sets_a_year_and_refuses_a_bad_one(as_jining):
    project = _project(QIZHOU)
    url = f"/projects/{project.pk}/plan/"
    bad = as_jining.post(url, {"year": "1990", "planned": "-1"})
    assert set(bad.context["form"].errors) == {"year", "planned"}
    assert as_jining.post(url, {"year": "2027", "planned": "80000"}).status_code == 302
    assert project.year_plans.get(year=2027).planned == 80000


def test_a_constraint_is_raised_and_closed_with_its_decision(as_jining):
    project = _project(QIZHOU)
    bad = as_jining.post(f"/projects/{project.pk}/constraints/new/", {"kind": "land", "description": "缺地",
                                                                       "responsible_unit": "", "deadline": "x"})
    assert {"responsible_unit", "deadline"} <= set(bad.context["form"].errors)
    response = as_jining.post(f"/projects/{project.pk}/constraints/new/", {
        "kind": "land", "description": "新增用地 80 亩", "responsible_unit": "金乡县自然资源局", "deadline": "2027-03-31"})
    assert response.status_code == 302
    constraint = Constraint.objects.get(description="新增用地 80 亩")
    url = f"/projects/constraints/{constraint.pk}/close/"
    empty = as_jining.post(url, {"status": "resolved", "decision": "", "version": constraint.version})
    assert "decision" in empty.context["form"].errors
    closed = as_jining.post(url, {"status": "resolved", "decision": "调剂用地指标", "decided_by": "县重点项目调度会",
                                  "version": constraint.version})
    assert closed.status_code == 302
    constraint.refresh_from_db()
    assert constraint.status == "resolved" and constraint.decision == "调剂用地指标"
    again = as_jining.post(url, {"status": "closed", "decision": "再次", "version": constraint.version})
    assert "不能再改" in again.content.decode()


def test_a_reader_is_sent_back_on_the_forms_and_refused_on_post():
    project = _project(JIUTIAN)
    org = _as("jiqun_org")
    assert org.get(f"/projects/{project.pk}/edit/").status_code == 302
    assert org.post(f"/projects/{project.pk}/move/", {"to_stage": Stage.STARTED}).status_code == 403
    assert org.get("/projects/new/").status_code == 404
    assert _project(JIUTIAN).stage == Stage.RESERVE


def test_the_overdue_page_groups_late_stages_by_region_and_constraints_by_unit(as_jining):
    page = as_jining.get("/projects/overdue/").content.decode()
    assert "七洲绿色化工项目" in page and "金乡县" in page
    assert "市自然资源和规划局" in page  # the graphene base's land, past its deadline
    assert "济南氢能装备" not in page


def test_the_pages_work_in_english(as_jining):
    as_jining.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    project = _project(QIZHOU)
    for url in ("/projects/", f"/projects/{project.pk}/", "/projects/overdue/", f"/projects/{project.pk}/move/"):
        assert as_jining.get(url).status_code == 200


def test_a_control_character_is_refused_on_its_field(as_jining):
    before = Project.objects.count()
    response = as_jining.post("/projects/new/", _new_form(name="七洲\x00项目"))
    assert "项目名称含有不允许的控制字符 U+0000" in str(response.context["form"].errors["name"])
    assert Project.objects.count() == before  # (PostgreSQL refuses a NUL even in a query: count, don't filter)
