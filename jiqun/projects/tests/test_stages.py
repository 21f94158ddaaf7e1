import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.audit.models import AuditEvent
from jiqun.projects.models import STAGE_LINE, Project, Stage
from jiqun.projects.services import (
    constraint_close,
    constraint_raise,
    project_create,
    project_move_stage,
    stage_reached,
)
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()  # read once at import: a "future" day in these tests is two days on, so a run across midnight holds


def _project(actor, region="370811", **extra) -> Project:
    fields = {"name": "测试项目", "region": Region.objects.get(code=region), "investor_name": "某外地企业",
              "total_investment": Decimal("300000"), "kind": "investment"}
    fields.update(extra)
    return project_create(actor=actor, stage_reached_on=TODAY - datetime.timedelta(days=400), **fields)


def test_stages_move_one_step_at_a_time_each_with_its_dated_event(jining_officer):
    project = _project(jining_officer)
    days = [TODAY - datetime.timedelta(days=d) for d in (300, 200, 100, 10)]
    for stage, day in zip(STAGE_LINE[1:], days, strict=True):
        project_move_stage(actor=jining_officer, project=project, to_stage=stage, reached_on=day, evidence="文件")
    assert Project.objects.get(pk=project.pk).stage == Stage.PRODUCING
    assert stage_reached(project)[Stage.STARTED] == days[1]
    assert AuditEvent.objects.filter(object_type="projects.project", object_id=str(project.pk)).exclude(
        action="denied").count() == 5


def test_a_jump_a_future_date_and_an_exit_without_reason_are_refused_and_change_nothing(jining_officer):
    project = _project(jining_officer)
    with pytest.raises(ValidationError, match="逐级推进"):
        project_move_stage(actor=jining_officer, project=project, to_stage=Stage.STARTED, reached_on=TODAY)
    with pytest.raises(ValidationError, match="晚于今天"):
        project_move_stage(actor=jining_officer, project=project, to_stage=Stage.RESERVE,
                           reached_on=TODAY + datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="原因"):
        project_move_stage(actor=jining_officer, project=project, to_stage=Stage.WITHDRAWN, reached_on=TODAY)
    assert Project.objects.get(pk=project.pk).stage == Stage.PLANNING
    assert project.events.count() == 1


def test_a_suspended_project_resumes_only_where_it_left(jining_officer):
    project = _project(jining_officer)
    project_move_stage(actor=jining_officer, project=project, to_stage=Stage.RESERVE, reached_on=TODAY)
    project_move_stage(actor=jining_officer, project=project, to_stage=Stage.SUSPENDED, reached_on=TODAY,
                       reason="用地指标未落实")
    with pytest.raises(ValidationError, match="储备"):
        project_move_stage(actor=jining_officer, project=project, to_stage=Stage.STARTED, reached_on=TODAY)
    project_move_stage(actor=jining_officer, project=project, to_stage=Stage.RESERVE, reached_on=TODAY)
    assert Project.objects.get(pk=project.pk).stage == Stage.RESERVE


def test_another_city_cannot_create_or_move_a_project(jinan_officer, jining_officer):
    with pytest.raises(PermissionDenied):
        _project(jinan_officer)
    project = _project(jining_officer)
    with pytest.raises(PermissionDenied):
        project_move_stage(actor=jinan_officer, project=project, to_stage=Stage.RESERVE, reached_on=TODAY)


def test_a_constraint_closes_once_with_its_decision(jining_officer):
    project = _project(jining_officer)
    constraint = constraint_raise(actor=jining_officer, project=project, kind="land", description="缺少用地指标",
                                  responsible_unit="市自然资源和规划局", deadline=TODAY)
    with pytest.raises(ValidationError, match="决定"):
        constraint_close(actor=jining_officer, constraint=constraint, status="resolved", decision=" ")
    constraint_close(actor=jining_officer, constraint=constraint, status="resolved", decision="调剂用地指标 120 亩",
                     decided_by="市重点项目调度会")
    with pytest.raises(ValidationError, match="不能再改"):
        constraint_close(actor=jining_officer, constraint=constraint, status="closed", decision="再次关闭")
