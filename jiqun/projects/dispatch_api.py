"""/api/v1/ endpoints of the quarterly project dispatch: list, read, file (If-Match version), move along the approval
chain, and 序时进度 of a period; the same scoping and services as the pages."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from jiqun.api.monitoring import IF_MATCH_HEADER, _if_match
from jiqun.api.pagination import BoundedPagination
from jiqun.api.schemas import Amount, BodyIn, DbId, errors
from jiqun.core.text import Text
from jiqun.monitoring.models import ReportingPeriod, ReportStatus
from jiqun.projects.dispatch_selectors import group_pace, period_pace
from jiqun.projects.dispatch_services import (
    dispatch_approve_city,
    dispatch_approve_for_city,
    dispatch_approve_province,
    dispatch_findings,
    dispatch_return,
    dispatch_save,
    dispatch_submit,
)
from jiqun.projects.models import Dispatch

router = Router(tags=["dispatch"])


class DispatchConstraintIn(BodyIn):
    kind: Text = Field(description="land | energy | environment | funding | approval | other")
    description: Text = Field(max_length=1000)
    responsible_unit: Text = Field(max_length=100)
    deadline: datetime.date


class DispatchIn(BodyIn):
    completed_ytd: Amount | None = Field(None, description="本年累计完成投资（万元）")
    progress: Text = Field("", max_length=2000, description="形象进度")
    stage_to: Text = Field("", description="本期达到的阶段（下一阶段的编码），不报告时为空")
    stage_on: datetime.date | None = Field(None, description="达到日期，不晚于今天")
    stage_evidence: Text = Field("", max_length=200)
    new_constraints: list[DispatchConstraintIn] = Field(default_factory=list, max_length=50)


class DispatchTransitionIn(BodyIn):
    action: Text = Field(description="submit | approve | approve_for_city（代市级审核，comment 为必填理由）| return")
    comment: Text = Field("", max_length=2000)


class DispatchOut(Schema):
    id: int
    period_id: int
    project_id: int
    project_code: str = Field(alias="project.code")
    project_name: str = Field(alias="project.name")
    status: str
    version: int
    completed_ytd: str | None
    progress: str
    stage_to: str
    stage_on: datetime.date | None
    stage_evidence: str
    new_constraints: list[dict]

    @staticmethod
    def resolve_completed_ytd(obj) -> str | None:
        return None if obj.completed_ytd is None else f"{obj.completed_ytd:f}"


class DispatchDetailOut(DispatchOut):
    findings: list[dict]

    @staticmethod
    def resolve_findings(obj) -> list[dict]:
        return [f.__dict__ for f in dispatch_findings(obj)] if obj.editable else []


class PaceOut(Schema):
    elapsed: str | None
    projects: list[dict]
    cities: list[dict]
    clusters: list[dict]


def _number(value) -> str | None:
    return None if value is None else f"{value:f}"


def _pace(pace) -> dict:
    return {"planned": _number(pace.planned), "completed": _number(pace.completed), "rate": _number(pace.rate),
            "elapsed": _number(pace.elapsed.quantize(Decimal("0.1"))), "gap": _number(pace.gap),
            "status": pace.status, "label": pace.label}


@router.get("/dispatches", response={200: list[DispatchOut], **errors(401, 422)}, summary="项目调度")
@paginate(BoundedPagination)
def list_dispatches(request: HttpRequest, period: DbId | None = None, status: Text = ""):
    dispatches = Dispatch.objects.for_user(request.user).select_related("project")
    if period:
        dispatches = dispatches.filter(period_id=period)
    if status:
        dispatches = dispatches.filter(status=status)
    return dispatches.order_by("id")


@router.get("/dispatches/{dispatch_id}", response={200: DispatchDetailOut, **errors(401, 404, 422)},
            summary="项目调度及其审核结果")
def get_dispatch(request: HttpRequest, dispatch_id: DbId):
    return get_object_or_404(Dispatch.objects.for_user(request.user).select_related("project", "period"),
                             pk=dispatch_id)


@router.put("/dispatches/{dispatch_id}",
            response={200: DispatchDetailOut, **errors(400, 401, 403, 404, 412, 422, 428)},
            summary="填报项目调度（草稿或退回状态）",
            description="整份填报；必须带 If-Match 请求头，值为读取时得到的 version。缺少时返回 428，其间他人已修改时返回 412。"
            "审核不通过（完成投资大于总投资、本年累计低于上季度、阶段跳级、达到日期晚于今天等）返回 400，写明项目和栏目，不保存。",
            openapi_extra={"parameters": [IF_MATCH_HEADER]})
def put_dispatch(request: HttpRequest, dispatch_id: DbId, payload: DispatchIn):
    dispatch = get_object_or_404(Dispatch.objects.for_user(request.user).select_related("project", "period"),
                                 pk=dispatch_id)
    if request.user.is_read_only:
        raise PermissionDenied(_("只读角色不能填报或审核项目调度"))
    base = _if_match(request)
    if base is None:
        return Status(428, {"detail": _("修改项目调度须带 If-Match 请求头，值为读取时得到的 version（如 If-Match: \"3\"）；"
                                        "您的修改未保存。"), "errors": {"If-Match": [_("缺少或不是数字")]}})
    data = payload.dict()
    dispatch_save(actor=request.user, dispatch=dispatch, base_version=base, **data)
    return Dispatch.objects.select_related("project", "period").get(pk=dispatch.pk)


@router.post("/dispatches/{dispatch_id}/transitions",
             response={200: DispatchDetailOut, **errors(400, 401, 403, 404, 422)},
             summary="提交、审核通过、代市级审核或退回项目调度")
def post_dispatch_transition(request: HttpRequest, dispatch_id: DbId, payload: DispatchTransitionIn):
    dispatch = get_object_or_404(Dispatch.objects.for_user(request.user).select_related("project", "period"),
                                 pk=dispatch_id)
    if request.user.is_read_only:
        raise PermissionDenied(_("只读角色不能提交、审核或退回项目调度"))
    if payload.action == "submit":
        dispatch_submit(actor=request.user, dispatch=dispatch, comment=payload.comment)
    elif payload.action == "approve":
        approve = dispatch_approve_city if dispatch.status == ReportStatus.SUBMITTED else dispatch_approve_province
        approve(actor=request.user, dispatch=dispatch, comment=payload.comment)
    elif payload.action == "approve_for_city":
        dispatch_approve_for_city(actor=request.user, dispatch=dispatch, reason=payload.comment)
    elif payload.action == "return":
        dispatch_return(actor=request.user, dispatch=dispatch, reason=payload.comment)
    else:
        raise ValidationError({"action": [_("未知操作“%(action)s”，应为 submit、approve、approve_for_city 或 return")
                                          % {"action": payload.action}]})
    return Dispatch.objects.select_related("project", "period").get(pk=dispatch.pk)


@router.get("/periods/{period_id}/dispatch-progress", response={200: PaceOut, **errors(401, 404, 422)},
            summary="投资序时进度（项目、按市、按集群）")
def get_dispatch_progress(request: HttpRequest, period_id: DbId):
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=period_id)
    rows = period_pace(period, Dispatch.objects.for_user(request.user).filter(period=period)
                       .prefetch_related("project__clusters"))
    return {
        "elapsed": _number(rows[0].pace.elapsed.quantize(Decimal("0.1"))) if rows else None,
        "projects": [{"dispatch": r.dispatch.pk, "project": r.project.code, "name": r.project.name, **_pace(r.pace)}
                     for r in rows],
        "cities": [{"code": g.key, "name": g.name, "projects": g.projects, "counted": g.counted, **_pace(g.pace)}
                   for g in group_pace(period, rows, by="city")],
        "clusters": [{"code": g.key, "name": g.name, "projects": g.projects, "counted": g.counted, **_pace(g.pace)}
                     for g in group_pace(period, rows, by="cluster")],
    }
