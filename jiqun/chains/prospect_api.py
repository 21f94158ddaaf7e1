"""/api/v1/prospects: the 招引名录, with the same scoping and services as the pages. An edit or a move carries
`version` (the entry's version when read); another's change since answers 412."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from jiqun.api.schemas import Amount, BodyIn, DbId, errors
from jiqun.chains.models import OutsideCompany, Prospect, Segment
from jiqun.chains.permissions import can_edit_prospects
from jiqun.chains.prospect_selectors import prospect_data, prospects_for
from jiqun.chains.prospect_services import (
    prospect_contact,
    prospect_create,
    prospect_move,
    prospect_sign,
    prospect_update,
)
from jiqun.core.stale import version_missing
from jiqun.core.text import Text
from jiqun.projects.api import Day

router = Router(tags=["chains"])


def _denied() -> str:
    return _("您无权修改该产业链的招引名录；招引名录由产业链牵头区划、所属集群的促进机构或省级管理员维护")


class ProspectOut(Schema):
    id: int
    chain: int
    chain_name: str
    segment: int
    segment_code: str
    segment_name: str
    company: int = Field(description="外地企业（OutsideCompany）编号")
    company_name: str
    company_place: str
    reason: str
    priority: str = Field(description="high 高 | medium 中 | low 低")
    priority_label: str
    status: str = Field(description="lead 线索 | contact 接洽 | signed 签约 | landed 落地 | dropped 放弃")
    status_label: str
    project: int | None = Field(description="签约项目（项目库）编号")
    project_name: str
    project_stage: str
    project_stage_label: str
    owner_unit: str
    created_by: str
    created_at: datetime.datetime
    version: int = Field(description="修改、推进时带上此版本号；其间他人已修改时返回 412")


class ProspectEventOut(Schema):
    on: datetime.date
    from_status: str
    to_status: str
    way: str = Field(description="接洽记录的方式（状态不变时）：visit | reception | call | meeting | letter | other")
    note: str
    by: str


class ProspectDetailOut(ProspectOut):
    events: list[ProspectEventOut]


class ProspectFilter(Schema):
    chain: DbId | None = None
    segment: DbId | None = None
    status: Text = ""
    priority: Text = ""


class ProspectIn(BodyIn):
    segment: DbId = Field(description="评级为弱、缺的环节或延链环节")
    company: DbId | None = Field(None, description="已登记的外地企业；或填 company_name 新登记（二选一）")
    company_name: Text = Field("", max_length=200)
    company_place: Text = Field("", max_length=100)
    company_credit_code: Text | None = Field(None, max_length=18)
    reason: Text = Field("", max_length=2000)
    priority: Text = Field("medium", description="high | medium | low")
    owner_unit: Text = Field("", max_length=100)
    on: Day | None = Field(None, description="列入日期（YYYY-MM-DD），默认今天")


class ProspectPatch(BodyIn):
    version: int | None = Field(None, ge=1, description="读取条目时得到的版本号（必填）")
    reason: Text | None = Field(None, max_length=2000)
    priority: Text | None = None
    owner_unit: Text | None = Field(None, max_length=100)


class ProspectContactIn(BodyIn):
    on: Day
    way: Text = Field(description="visit 上门拜访 | reception 来访接待 | call 电话/视频 | meeting 会谈/推介会 | letter 函件/邮件 | other 其他")
    note: Text = Field(max_length=2000)


class ProspectMoveIn(BodyIn):
    to_status: Text = Field(description="contact 接洽 | dropped 放弃（须填 note 说明原因）；签约用 /sign，落地随项目开工")
    on: Day
    note: Text = Field("", max_length=2000)
    version: int | None = Field(None, ge=1)


class ProspectSignIn(BodyIn):
    on: Day = Field(description="签约日期（YYYY-MM-DD）")
    version: int | None = Field(None, ge=1)
    project: DbId | None = Field(None, description="关联已有项目；不填则新建项目")
    project_name: Text = Field("", max_length=200)
    total_investment: Amount | None = Field(None, description="新建项目的总投资（万元）")
    region: Text | None = Field(None, max_length=6, description="新建项目所在区划代码（产业链牵头区划内），默认牵头区划")
    note: Text = Field("", max_length=2000)


def _visible(request: HttpRequest, prospect_id: int) -> Prospect:
    return get_object_or_404(Prospect.objects.for_user(request.user)
                             .select_related("segment__chain", "company", "project"), pk=prospect_id)


def _writable(request: HttpRequest, prospect_id: int) -> Prospect:
    entry = _visible(request, prospect_id)
    if not can_edit_prospects(request.user, entry.segment.chain):
        raise PermissionDenied(_denied())
    return entry


def _detail(prospect_id: int) -> dict:
    entry = Prospect.objects.select_related("segment__chain", "company", "project").get(pk=prospect_id)
    return prospect_data(entry) | {"events": [
        {"on": e.on, "from_status": e.from_status, "to_status": e.to_status, "way": e.way, "note": e.note,
         "by": e.by} for e in entry.events.order_by("on", "pk")]}


@router.get("/prospects", response={200: list[ProspectOut], **errors(401, 422)}, summary="招引名录（本人范围内）")
def list_prospects(request: HttpRequest, filters: Query[ProspectFilter]):
    return [prospect_data(p) for p in prospects_for(request.user, chain=filters.chain, segment=filters.segment,
                                                    status=filters.status, priority=filters.priority)]


@router.get("/prospects/{prospect_id}", response={200: ProspectDetailOut, **errors(401, 404, 422)},
            summary="一条招引名录（含接洽与状态记录）")
def get_prospect(request: HttpRequest, prospect_id: DbId):
    return _detail(_visible(request, prospect_id).pk)


@router.post("/prospects", response={201: ProspectDetailOut, **errors(400, 401, 403, 404, 422)},
             summary="列入招引名录（弱、缺或延链环节）")
def create_prospect(request: HttpRequest, payload: ProspectIn):
    segment = get_object_or_404(Segment.objects.for_user(request.user).select_related("chain"), pk=payload.segment)
    if not can_edit_prospects(request.user, segment.chain):
        raise PermissionDenied(_denied())
    company = None
    if payload.company is not None:
        company = OutsideCompany.objects.for_user(request.user).filter(pk=payload.company).first()
        if company is None:
            raise ValidationError({"company": [_("外地企业 %(id)s 不存在或不在您的范围内") % {"id": payload.company}]})
    entry = prospect_create(actor=request.user, segment=segment, company=company, company_name=payload.company_name,
                            company_place=payload.company_place, company_credit_code=payload.company_credit_code,
                            reason=payload.reason, priority=payload.priority, owner_unit=payload.owner_unit,
                            on=payload.on)
    return Status(201, _detail(entry.pk))


@router.patch("/prospects/{prospect_id}", response={200: ProspectDetailOut, **errors(400, 401, 403, 404, 412, 422)},
              summary="修改招引理由、优先级、责任单位",
              description="请求体须带 version（读取条目时得到的版本号）；其间他人已修改时返回 412。")
def update_prospect(request: HttpRequest, prospect_id: DbId, payload: ProspectPatch):
    entry = _writable(request, prospect_id)
    if payload.version is None:
        raise version_missing(kind=_("招引名录条目"))
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    if changes.get("priority", "") is None:
        raise ValidationError({"priority": [_("不能为空")]})
    changes = {k: v or "" for k, v in changes.items()}
    prospect_update(actor=request.user, prospect=entry, base_version=payload.version, **changes)
    return _detail(entry.pk)


@router.post("/prospects/{prospect_id}/contacts", response={201: ProspectDetailOut, **errors(400, 401, 403, 404, 422)},
             summary="记录一次接洽（状态不变）")
def contact_prospect(request: HttpRequest, prospect_id: DbId, payload: ProspectContactIn):
    entry = _writable(request, prospect_id)
    prospect_contact(actor=request.user, prospect=entry, on=payload.on, way=payload.way, note=payload.note)
    return Status(201, _detail(entry.pk))


@router.post("/prospects/{prospect_id}/move", response={200: ProspectDetailOut, **errors(400, 401, 403, 404, 412, 422)},
             summary="推进为接洽，或放弃（须说明原因）")
def move_prospect(request: HttpRequest, prospect_id: DbId, payload: ProspectMoveIn):
    entry = _writable(request, prospect_id)
    prospect_move(actor=request.user, prospect=entry, to_status=payload.to_status, on=payload.on, note=payload.note,
                  base_version=payload.version)
    return _detail(entry.pk)


@router.post("/prospects/{prospect_id}/sign", response={200: ProspectDetailOut, **errors(400, 401, 403, 404, 412, 422)},
             summary="签约：关联或新建项目库中的项目",
             description="带 project 关联已有项目（本人可见、在产业链牵头区划内）；否则按 project_name、total_investment、"
             "region 新建项目，环节为本条目的环节。项目开工时条目自动落地。")
def sign_prospect(request: HttpRequest, prospect_id: DbId, payload: ProspectSignIn):
    from jiqun.projects.models import Project
    from jiqun.regions.models import Region

    entry = _writable(request, prospect_id)
    project = region = None
    if payload.project is not None:
        project = Project.objects.for_user(request.user).filter(pk=payload.project).first()
        if project is None:
            raise ValidationError({"project": [_("项目 %(id)s 不存在或不在您的范围内") % {"id": payload.project}]})
    if payload.region:
        region = Region.objects.filter(pk=payload.region).first()
        if region is None:
            raise ValidationError({"region": [_("区划代码“%(code)s”不存在") % {"code": payload.region}]})
    total = Decimal(payload.total_investment) if payload.total_investment is not None else None
    prospect_sign(actor=request.user, prospect=entry, on=payload.on, base_version=payload.version, project=project,
                  project_name=payload.project_name, total_investment=total, region=region, note=payload.note)
    return _detail(entry.pk)
