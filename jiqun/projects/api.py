"""/api/v1/projects: the major-project library with the pages' scoping (an object outside the caller's scope
is a 404) and services (a refused write is a 400 naming the field, a stale version a 412)."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from jiqun.api.pagination import BoundedPagination
from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.clusters.models import Cluster
from jiqun.core.stale import version_missing
from jiqun.core.text import Text
from jiqun.enterprises.models import Enterprise
from jiqun.projects.models import Constraint, ConstraintStatus, MajorLevel, Project, ProjectKind, Stage
from jiqun.projects.permissions import can_edit_project
from jiqun.projects.selectors import ProjectFilter, constraint_list, overdue, project_list, timeline
from jiqun.projects.services import (
    constraint_close,
    constraint_raise,
    project_create,
    project_move_stage,
    project_plan_year,
    project_update,
)
from jiqun.regions.models import Region, Zone
from jiqun.regions.selectors import regions_for

router = Router(tags=["projects"])

# 万元, at most 12 digits before the point and 2 after (the column's bound), never negative.
Investment = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2), WithJsonSchema({"anyOf": [
    {"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$"}, {"type": "integer", "minimum": 0, "maximum": 10**12 - 1}],
    "description": "万元，最多两位小数"})]
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _text_date(value):
    """A date comes as "YYYY-MM-DD" text: a bare number is not read as seconds since 1970."""
    if value is not None and not isinstance(value, (str, datetime.date)):
        raise PydanticCustomError("date_type", "date expected")
    return value


Day = Annotated[datetime.date, BeforeValidator(_text_date)]


# --- what goes out ------------------------------------------------------------------------------------

class ProjectOut(Schema):
    id: int
    code: str
    name: str
    clusters: list[int] = Field(description="所属集群的 id")
    segment: str
    region: str = Field(alias="region_id")
    zone: int | None = Field(None, alias="zone_id")
    investor: int | None = Field(None, alias="investor_id", description="名录企业的 id；名录外企业为 null")
    investor_name: str = Field(alias="investor_label")
    total_investment: Decimal = Field(description="万元")
    kind: str
    is_major: bool
    major_level: str
    leader: str
    service_unit: str
    source: str
    signed_on: datetime.date | None
    stage: str
    planned_start_on: datetime.date | None
    planned_completion_on: datetime.date | None
    planned_production_on: datetime.date | None
    description: str
    version: int = Field(description="版本号；修改或变更阶段时原样带回，其间他人已修改则返回 412")

    @staticmethod
    def resolve_clusters(obj) -> list[int]:
        return [c.pk for c in obj.clusters.all()]


class TimelineOut(Schema):
    stage: str
    planned: datetime.date | None
    reached: datetime.date | None
    late: bool = Field(description="计划日期已过而尚未达到")


class StageEventOut(Schema):
    from_stage: str
    to_stage: str
    reached_on: datetime.date
    evidence: str
    reason: str
    actor: str = Field(alias="actor_name")


class YearPlanOut(Schema):
    year: int
    planned: Decimal


class ProjectDetailOut(ProjectOut):
    timeline: list[TimelineOut]
    events: list[StageEventOut]
    year_plans: list[YearPlanOut]

    @staticmethod
    def resolve_timeline(obj) -> list:
        return timeline(obj)

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.all())

    @staticmethod
    def resolve_year_plans(obj) -> list:
        return list(obj.year_plans.all())


class ConstraintOut(Schema):
    id: int
    project: int = Field(alias="project_id")
    project_name: str = Field(alias="project.name")
    kind: str
    description: str
    responsible_unit: str
    deadline: datetime.date
    status: str
    decision: str
    decided_by: str
    decided_on: datetime.date | None
    raised_by: str
    version: int


class LateStageOut(Schema):
    project: int = Field(alias="project.pk")
    code: str = Field(alias="project.code")
    name: str = Field(alias="project.name")
    region: str = Field(alias="project.region_id")
    current_stage: str = Field(alias="project.stage")
    stage: str
    planned: datetime.date
    days_late: int


class OverdueOut(Schema):
    as_of: datetime.date
    stages: list[LateStageOut]
    constraints: list[ConstraintOut]


# --- what comes in ------------------------------------------------------------------------------------

class ProjectFields(BodyIn):
    segment: Text = Field("", max_length=80)
    zone: DbId | None = Field(None, description="园区 id（/api/v1/zones）")
    investor: DbId | None = Field(None, description="名录企业 id；名录外企业填 investor_name")
    investor_name: Text = Field("", max_length=200)
    is_major: bool = False
    major_level: Text = Field("", description="province、city、county；非重大项目为空")
    leader: Text = Field("", max_length=100)
    service_unit: Text = Field("", max_length=100)
    source: Text = Field("", max_length=200)
    signed_on: Day | None = None
    planned_start_on: Day | None = None
    planned_completion_on: Day | None = None
    planned_production_on: Day | None = None
    description: Text = Field("", max_length=5000)


class ProjectIn(ProjectFields):
    code: Text = Field("", max_length=40, description="不填时由系统生成")
    name: Text = Field(max_length=200)
    clusters: list[DbId] = Field([], max_length=50)
    region: Text = Field(description="6 位行政区划代码（本人范围内的市或县区）")
    total_investment: Investment
    kind: Text = Field(description="demonstration、chain_support、service_platform、investment、renovation")
    stage_reached_on: Day | None = Field(None, description="入库（谋划）日期，不填为今天")


class ProjectPatch(BodyIn):
    name: Text | None = Field(None, max_length=200)
    clusters: list[DbId] | None = Field(None, max_length=50)
    segment: Text | None = Field(None, max_length=80)
    region: Text | None = None
    zone: DbId | None = None
    investor: DbId | None = None
    investor_name: Text | None = Field(None, max_length=200)
    total_investment: Investment | None = None
    kind: Text | None = None
    is_major: bool | None = None
    major_level: Text | None = None
    leader: Text | None = Field(None, max_length=100)
    service_unit: Text | None = Field(None, max_length=100)
    source: Text | None = Field(None, max_length=200)
    signed_on: Day | None = None
    planned_start_on: Day | None = None
    planned_completion_on: Day | None = None
    planned_production_on: Day | None = None
    description: Text | None = Field(None, max_length=5000)
    version: Version | None = Field(None, description="必填：读取项目时得到的 version")


class StageMoveIn(BodyIn):
    to_stage: Text = Field(description="reserve、started、completed、producing，或 suspended、withdrawn（须填 reason）")
    reached_on: Day = Field(description="实际达到日期，不能晚于今天")
    evidence: Text = Field("", max_length=200)
    reason: Text = Field("", max_length=2000)
    version: Version | None = Field(None, description="必填：读取项目时得到的 version")


class YearPlanIn(BodyIn):
    year: int = Field(ge=2000, le=2100)
    planned: Investment


class ConstraintIn(BodyIn):
    kind: Text = Field(description="land、energy、environment、funding、approval、other")
    description: Text = Field(max_length=2000)
    responsible_unit: Text = Field(max_length=100)
    deadline: Day


class ConstraintCloseIn(BodyIn):
    status: Text = Field(description="resolved（已解决）或 closed（无法解决，已关闭）")
    decision: Text = Field(max_length=2000)
    decided_by: Text = Field("", max_length=200)
    decided_on: Day | None = None
    version: Version | None = Field(None, description="必填：读取要素制约时得到的 version")


class ProjectQuery(Schema):
    q: Text = ""
    cluster: DbId | None = None
    region: Text = Field("", description="6 位行政区划代码（含其下级区划）；不存在的代码返回 400")
    zone: DbId | None = None
    stage: Text = ""
    kind: Text = ""
    major_level: Text = ""


class ConstraintQuery(Schema):
    status: Text = ""
    responsible_unit: Text = ""


# --- resolving codes and ids --------------------------------------------------------------------------

def _choice(field: str, value: str, choices) -> str:
    if value and value not in choices.values:
        raise ValidationError({field: [_("“%(value)s”不是有效的取值，可选：%(choices)s") % {
            "value": value[:40], "choices": "、".join(choices.values)}]})
    return value


def _region(user, code: str) -> Region:
    region = regions_for(user).filter(code=code).first()
    if region is None:
        raise ValidationError({"region": [_("区划 %(code)s 不存在或不在您的范围内") % {"code": code[:20]}]})
    return region


def _region_filter(code: str) -> str:
    if not (len(code) == 6 and code.isascii() and code.isdigit() and Region.objects.filter(code=code).exists()):
        raise ValidationError({"region": [_("区划代码“%(code)s”不存在，应为 6 位行政区划代码（如 370800 济宁市）")
                                          % {"code": code[:20]}]})
    return code


def _zone(user, zone_id: int | None) -> Zone | None:
    if zone_id is None:
        return None
    zone = Zone.objects.for_user(user).filter(pk=zone_id).first()
    if zone is None:
        raise ValidationError({"zone": [_("园区 %(id)s 不存在或不在您的范围内") % {"id": zone_id}]})
    return zone


def _investor(user, enterprise_id: int | None) -> Enterprise | None:
    if enterprise_id is None:
        return None
    enterprise = Enterprise.objects.for_user(user).filter(pk=enterprise_id).first()
    if enterprise is None:
        raise ValidationError({"investor": [_("企业 %(id)s 不存在或不在您的范围内") % {"id": enterprise_id}]})
    return enterprise


def _clusters(user, ids: list[int], keep: set[int] = frozenset()) -> list[Cluster]:
    """The clusters named; one the project already has stays allowed even if the caller does not see it."""
    found = {c.pk: c for c in Cluster.objects.filter(pk__in=ids)
             if c.pk in keep or Cluster.objects.for_user(user).filter(pk=c.pk).exists()}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError({"clusters": [_("集群 %(ids)s 不存在或不在您的范围内") % {"ids": "、".join(missing)}]})
    return [found[i] for i in dict.fromkeys(ids)]


def _visible(request: HttpRequest, project_id: int) -> Project:
    return get_object_or_404(Project.objects.for_user(request.user), pk=project_id)


def _require_edit(request: HttpRequest, project: Project) -> None:
    if not can_edit_project(request.user, project):
        raise PermissionDenied(_("您无权修改该项目；项目由所在县区、市或省级管理员维护"))


# --- the operations -----------------------------------------------------------------------------------

@router.get("", response={200: list[ProjectOut], **errors(400, 401, 422)}, summary="项目库（本人范围内）")
@paginate(BoundedPagination)
def list_projects(request: HttpRequest, filters: Query[ProjectQuery]):
    return project_list(request.user, ProjectFilter(
        cluster=filters.cluster, region=_region_filter(filters.region) if filters.region else "", zone=filters.zone,
        stage=_choice("stage", filters.stage, Stage), kind=_choice("kind", filters.kind, ProjectKind),
        major_level=_choice("major_level", filters.major_level, MajorLevel), q=filters.q))


@router.get("/overdue", response={200: OverdueOut, **errors(401)}, summary="逾期清单：计划日期已过未达到的阶段、超期未解决的要素制约")
def get_overdue(request: HttpRequest):
    return overdue(request.user)


@router.get("/constraints", response={200: list[ConstraintOut], **errors(400, 401, 422)}, summary="要素制约（本人范围内）")
@paginate(BoundedPagination)
def list_constraints(request: HttpRequest, filters: Query[ConstraintQuery]):
    return constraint_list(request.user, status=_choice("status", filters.status, ConstraintStatus),
                           responsible_unit=filters.responsible_unit)


@router.post("/constraints/{constraint_id}/close", response={200: ConstraintOut, **errors(400, 401, 403, 404, 412, 422)},
             summary="关闭要素制约（已解决或无法解决），写明解决措施或决定",
             description="请求体须带 version；其间他人已修改时返回 412。")
def close_constraint(request: HttpRequest, constraint_id: DbId, payload: ConstraintCloseIn):
    constraint = get_object_or_404(Constraint.objects.for_user(request.user).select_related("project"),
                                   pk=constraint_id)
    _require_edit(request, constraint.project)
    if payload.version is None:
        raise version_missing(kind=_("要素制约"))
    return constraint_close(actor=request.user, constraint=constraint, status=payload.status,
                            decision=payload.decision, decided_by=payload.decided_by, decided_on=payload.decided_on,
                            base_version=payload.version)


@router.get("/{project_id}", response={200: ProjectDetailOut, **errors(401, 404, 422)},
            summary="项目详情：阶段计划与实际日期、阶段变更记录、年度计划")
def get_project(request: HttpRequest, project_id: DbId):
    return _visible(request, project_id)


@router.post("", response={201: ProjectOut, **errors(400, 401, 403, 422)}, summary="登记项目（谋划阶段入库）")
def create_project(request: HttpRequest, payload: ProjectIn):
    data = payload.dict(exclude={"code", "clusters", "region", "zone", "investor", "stage_reached_on"})
    _choice("kind", payload.kind, ProjectKind)
    _choice("major_level", payload.major_level, MajorLevel)
    project = project_create(
        actor=request.user, code=payload.code, clusters=_clusters(request.user, payload.clusters),
        stage_reached_on=payload.stage_reached_on, region=_region(request.user, payload.region),
        zone=_zone(request.user, payload.zone), investor=_investor(request.user, payload.investor), **data)
    return Status(201, project)


@router.patch("/{project_id}", response={200: ProjectOut, **errors(400, 401, 403, 404, 412, 422)},
              summary="修改项目（阶段另用 stage 操作）",
              description="请求体须带 version（读取项目时得到的版本号）；其间他人已修改时返回 412，说明何时由谁改了哪些字段。")
def update_project(request: HttpRequest, project_id: DbId, payload: ProjectPatch):
    project = _visible(request, project_id)
    _require_edit(request, project)
    if payload.version is None:
        raise version_missing(kind=_("项目"))
    changes = payload.dict(exclude_unset=True, exclude={"version", "clusters"})
    for key in ("name", "region", "total_investment", "kind", "is_major"):
        if key in changes and changes[key] is None:
            raise ValidationError({key: [_("不能为空")]})
    for key, value in list(changes.items()):
        if value is None and key not in ("zone", "investor", "signed_on", "planned_start_on",
                                         "planned_completion_on", "planned_production_on"):
            changes[key] = ""
    if "kind" in changes:
        _choice("kind", changes["kind"], ProjectKind)
    if "major_level" in changes:
        _choice("major_level", changes["major_level"], MajorLevel)
    if "region" in changes:
        changes["region"] = _region(request.user, changes["region"])
    if "zone" in changes:
        changes["zone"] = _zone(request.user, changes["zone"])
    if "investor" in changes:
        changes["investor"] = _investor(request.user, changes["investor"])
    clusters = None
    if payload.clusters is not None:
        clusters = _clusters(request.user, payload.clusters, keep=set(project.clusters.values_list("pk", flat=True)))
    return project_update(actor=request.user, project=project, base_version=payload.version, clusters=clusters,
                          **changes)


@router.post("/{project_id}/stage", response={200: ProjectDetailOut, **errors(400, 401, 403, 404, 412, 422)},
             summary="阶段变更：逐级推进，或转为停缓建、退出（须填原因）",
             description="请求体须带 version；达到日期是证据，不能晚于今天、不能早于上一次变更。")
def move_stage(request: HttpRequest, project_id: DbId, payload: StageMoveIn):
    project = _visible(request, project_id)
    _require_edit(request, project)
    if payload.version is None:
        raise version_missing(kind=_("项目"))
    project_move_stage(actor=request.user, project=project, to_stage=payload.to_stage, reached_on=payload.reached_on,
                       evidence=payload.evidence, reason=payload.reason, base_version=payload.version)
    return Project.objects.get(pk=project.pk)


@router.post("/{project_id}/plans", response={200: YearPlanOut, **errors(400, 401, 403, 404, 422)},
             summary="设定某年度计划投资（万元）；已有则修改")
def plan_year(request: HttpRequest, project_id: DbId, payload: YearPlanIn):
    project = _visible(request, project_id)
    _require_edit(request, project)
    return project_plan_year(actor=request.user, project=project, year=payload.year, planned=payload.planned)


@router.get("/{project_id}/constraints", response={200: list[ConstraintOut], **errors(401, 404, 422)},
            summary="项目的要素制约")
def project_constraints(request: HttpRequest, project_id: DbId):
    return list(constraint_list(request.user, project=_visible(request, project_id)))


@router.post("/{project_id}/constraints", response={201: ConstraintOut, **errors(400, 401, 403, 404, 422)},
             summary="登记要素制约：类型、责任单位、解决时限")
def raise_constraint(request: HttpRequest, project_id: DbId, payload: ConstraintIn):
    project = _visible(request, project_id)
    _require_edit(request, project)
    constraint = constraint_raise(actor=request.user, project=project, kind=payload.kind,
                                  description=payload.description, responsible_unit=payload.responsible_unit,
                                  deadline=payload.deadline)
    return Status(201, constraint)
