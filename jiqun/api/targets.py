"""/api/v1/ endpoints for targets and supervision: progress, adjustments, structure, tasks, chain checklists.

Scoping is the pages' (jiqun.targets.selectors): a target, task or checklist outside the caller's scope is a
404. Progress is computed on each request; nothing here records a target as achieved.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jiqun.api.pagination import BoundedPagination
from jiqun.api.schemas import Amount, BodyIn, DbId, errors
from jiqun.clusters.models import Cluster
from jiqun.core.text import Text
from jiqun.programmes.models import Programme
from jiqun.regions.models import Region
from jiqun.targets.figures import ProgrammeData
from jiqun.targets.models import ProgressStatus, TaskStatus, TaskUpdate
from jiqun.targets.selectors import Visibility, assess_target, row_data, target_for, target_rows
from jiqun.targets.services import (
    checklist_create,
    checklist_evidence_set,
    target_override_clear,
    target_override_set,
    task_update_create,
)
from jiqun.targets.structure import programme_structure
from jiqun.targets.supervision import (
    checklist_lines,
    completeness,
    sheets_for,
    task_data,
    task_rows,
    tasks_for,
)

router = Router(tags=["targets"])
AsOf = datetime.date


class ProgressOut(Schema):
    id: int
    programme: str
    code: str
    label: str
    subject_kind: str
    subject_key: str
    subject: str
    indicator: str
    comparator: str
    value: Decimal
    unit: str
    year: int
    adjusted: bool
    document_value: Decimal
    document_year: int
    current: Decimal | None
    current_label: str
    current_at: datetime.date | None
    attainment: Decimal | None = Field(description="完成率，%")
    progress: Decimal | None = Field(description="自基数以来的进度，%")
    elapsed: Decimal | None = Field(description="序时进度，%")
    gap: Decimal | None = Field(description="进度（无基数时为完成率）与序时进度之差，百分点")
    growth_terms: str = Field(description="rate：增速为年增长率（0.08 即 8%）；points：每年变动的目标单位数")
    required: Decimal | None
    required_rest: bool = Field(description="剩余不足一年时，required 为剩余期内需要的增长")
    actual: Decimal | None
    forecast: Decimal | None
    method: str
    status: str
    status_label: str
    reason: str
    citation: str
    clause: str
    quote: str
    as_of: datetime.date
    url: str
    counted_clusters: list[str] = Field(description="目标条款点名计数的集群（只计这些）；为空时计对象范围内的全部集群")


class PointOut(Schema):
    at: datetime.date
    value: Decimal
    label: str


class BasisOut(Schema):
    label: str
    value: Decimal | None
    url: str
    note: str


class ProgressDetailOut(ProgressOut):
    points: list[PointOut]
    basis: list[BasisOut]
    rule: str


class ProgressFilter(Schema):
    programme: Text = ""
    status: list[Text] = Field(default_factory=list, description=", ".join(ProgressStatus.values))
    subject_kind: Text = ""
    year: int | None = Field(None, ge=2000, le=2100)
    as_of: AsOf | None = Field(None, description="YYYY-MM-DD，缺省为今天")


class OverrideIn(BodyIn):
    value: Amount | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    comparator: Text = Field("", description=">=, <=, ==, ≈，空为不调整")
    baseline_value: Amount | None = None
    baseline_year: int | None = Field(None, ge=2000, le=2100)
    reason: Text = Field(max_length=2000)


class StructureLineOut(Schema):
    label: str
    count: int | None
    goals: list[str]
    members: list[str]


class StructureOut(Schema):
    programme: str
    as_of: datetime.date
    tiers: list[StructureLineOut]
    scale_year: int | None
    measure: str
    scale: list[StructureLineOut]
    echelons: list[StructureLineOut]


class TaskOut(Schema):
    id: int
    programme: str
    code: str
    title: str
    lead_units: list[str]
    responsible_units: list[str]
    due_year: int
    deadline: datetime.date
    status: str
    status_label: str
    overdue: bool
    stale: bool
    citation: str
    clause: str
    latest_unit: str
    latest_at: datetime.datetime | None
    latest_progress: str


class TaskUpdateOut(Schema):
    id: int
    from_status: str
    status: str
    unit: str
    progress: str
    evidence: str
    evidence_name: str
    reported_by_name: str
    reported_at: datetime.datetime


class TaskDetailOut(TaskOut):
    updates: list[TaskUpdateOut]
    my_units: list[str] = Field(description="调用者可以代表报送的单位；为空则不能报送")


class TaskUpdateIn(BodyIn):
    status: Text = Field(description=", ".join(s for s in TaskStatus.values if s != TaskStatus.NOT_STARTED))
    progress: Text = Field(max_length=5000)
    unit: Text = Field("", max_length=100)
    evidence: Text = Field("", max_length=2000)


class ChecklistItemOut(Schema):
    code: str
    name: str
    clause: str
    done: bool
    evidence: str
    evidence_name: str


class SheetOut(Schema):
    id: int
    programme: str
    checklist: str
    cluster: int
    cluster_name: str
    chain: str
    chain_id: int | None = Field(None, description="产业链登记中的产业链编号；早先只填了链名的清单为空")
    region: str
    chief: str
    completeness: Decimal


class SheetDetailOut(SheetOut):
    items: list[ChecklistItemOut]


class SheetIn(BodyIn):
    programme: Text
    cluster: DbId
    chain: DbId = Field(description="产业链登记中的产业链编号（须服务于该集群）")
    region: Text = Field(max_length=6)
    chief: Text = Field("", max_length=100)


class EvidenceIn(BodyIn):
    done: bool
    evidence: Text = Field("", max_length=2000)


# --- targets ---------------------------------------------------------------------------------------

def _day(as_of: datetime.date | None) -> datetime.date:
    day = as_of or datetime.date.today()
    if not datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31):
        raise ValidationError({"as_of": [_("截至日期 %(day)s 应在 2000 年至 2100 年之间") % {"day": day}]})
    return day


def _programme(code: str | None) -> Programme | None:
    if not code:
        return None
    programme = Programme.objects.filter(code=code).first()
    if programme is None:
        raise ValidationError({"programme": [_("培育工程 %(code)s 不存在") % {"code": code}]})
    return programme


@router.get("/targets", response={200: list[ProgressOut], **errors(400, 401, 422)}, summary="目标进度（本人范围内）")
@paginate(BoundedPagination)
def list_progress(request: HttpRequest, filters: Query[ProgressFilter]):
    unknown = [s for s in filters.status if s not in ProgressStatus.values]
    if unknown:
        raise ValidationError({"status": [_("未知状态 %(unknown)s，应为 %(known)s") % {
            "unknown": "、".join(unknown), "known": ", ".join(ProgressStatus.values)}]})
    rows = target_rows(request.user, as_of=_day(filters.as_of),
                       programme=_programme(filters.programme), statuses=filters.status or None,
                       subject_kind=filters.subject_kind, year=filters.year)
    return [row_data(r) for r in rows]


def _detail(request: HttpRequest, target_id: int, cluster: int | None, park: int | None,
            as_of: datetime.date | None) -> dict:
    found = target_for(request.user, target_id, {"cluster": cluster, "park": park})
    if found is None:
        raise Http404
    target, subject = found
    day = _day(as_of)
    row = assess_target(target, subject, ProgrammeData(target.programme, day), day)
    return {**row_data(row), "points": [p.__dict__ for p in row.series.points],
            "basis": [b.__dict__ for b in row.series.basis],
            "rule": row.series.unsupported or row.series.note}


@router.get("/targets/{target_id}", response={200: ProgressDetailOut, **errors(400, 401, 404, 422)},
            summary="一个目标的进度与依据数据")
def get_progress(request: HttpRequest, target_id: DbId, cluster: DbId | None = None, park: DbId | None = None,
                 as_of: AsOf | None = None):
    return _detail(request, target_id, cluster, park, as_of)


@router.patch("/targets/{target_id}", response={200: ProgressDetailOut, **errors(400, 401, 403, 404, 422)},
              summary="调整目标（省级管理员；文件原值保留）")
def adjust_target(request: HttpRequest, target_id: DbId, payload: OverrideIn, cluster: DbId | None = None,
                  park: DbId | None = None):
    found = target_for(request.user, target_id, {"cluster": cluster, "park": park})
    if found is None:
        raise Http404
    target_override_set(actor=request.user, target=found[0], **payload.dict())
    return _detail(request, target_id, cluster, park, None)


@router.delete("/targets/{target_id}/adjustment", response={204: None, **errors(401, 403, 404, 422)},
               summary="恢复文件原定目标")
def clear_adjustment(request: HttpRequest, target_id: DbId, cluster: DbId | None = None, park: DbId | None = None):
    found = target_for(request.user, target_id, {"cluster": cluster, "park": park})
    if found is None:
        raise Http404
    target_override_clear(actor=request.user, target=found[0])
    return Status(204, None)


@router.get("/programmes/{code}/structure", response={200: StructureOut, **errors(400, 401, 404, 422)},
            summary="工程结构：集群层级（3830）、规模层级、企业梯队及其目标")
def get_structure(request: HttpRequest, code: Text, as_of: AsOf | None = None):
    programme = get_object_or_404(Programme, code=code)
    if not Visibility(request.user).programme_totals(programme):
        raise Http404
    day = _day(as_of)
    rows = target_rows(request.user, as_of=day, programme=programme)
    structure = programme_structure(programme, rows, day)

    def lines(key: str) -> list[dict]:
        return [{"label": line.label, "count": line.count, "members": line.members,
                 "goals": [f"{g.target.code} {g.goal_text} {g.status_label}" for g in line.goals]}
                for line in structure[key]]

    return {"programme": programme.code, "as_of": day, "tiers": lines("tiers"), "scale": lines("scale"),
            "scale_year": structure["scale_year"], "measure": structure["measure"], "echelons": lines("echelons")}


# --- tasks -----------------------------------------------------------------------------------------

@router.get("/tasks", response={200: list[TaskOut], **errors(401, 422)}, summary="任务督导（本人范围内）")
@paginate(BoundedPagination)
def list_tasks(request: HttpRequest, programme: Text = "", overdue: bool = False, status: Text = ""):
    tasks = tasks_for(request.user)
    if programme:
        tasks = tasks.filter(programme__code=programme)
    rows = task_rows(tasks)
    if overdue:
        rows = [r for r in rows if r.overdue]
    if status:
        rows = [r for r in rows if r.status == status]
    return [task_data(r) for r in rows]


def _task_detail(request: HttpRequest, task) -> dict:
    from jiqun.targets.permissions import task_units

    (row,) = task_rows(tasks_for(request.user).filter(pk=task.pk))
    updates = TaskUpdate.objects.for_user(request.user).filter(task=task)
    return {**task_data(row), "updates": list(updates), "my_units": task_units(request.user, task)}


@router.get("/tasks/{task_id}", response={200: TaskDetailOut, **errors(401, 404, 422)}, summary="任务及其进展报送")
def get_task(request: HttpRequest, task_id: DbId):
    return _task_detail(request, get_object_or_404(tasks_for(request.user), pk=task_id))


@router.post("/tasks/{task_id}/updates", response={201: TaskDetailOut, **errors(400, 401, 403, 404, 422)},
             summary="报送任务进展（牵头单位或责任单位；附件请在网页上传）")
def post_task_update(request: HttpRequest, task_id: DbId, payload: TaskUpdateIn):
    task = get_object_or_404(tasks_for(request.user), pk=task_id)
    task_update_create(actor=request.user, task=task, **payload.dict())
    return Status(201, _task_detail(request, task))


# --- chain checklists ------------------------------------------------------------------------------

def _sheet(sheet, items: bool = False) -> dict:
    lines = checklist_lines(sheet)
    data = {"id": sheet.pk, "programme": sheet.programme.code, "checklist": sheet.checklist_code,
            "cluster": sheet.cluster_id, "cluster_name": sheet.cluster.name, "chain": sheet.chain_name,
            "chain_id": sheet.chain_record_id,
            "region": sheet.region_id, "chief": sheet.chief, "completeness": completeness(lines)}
    if items:
        data["items"] = [{"code": line.item.code, "name": line.item.name, "clause": line.item.clause,
                          "done": line.done, "evidence": line.entry.evidence if line.entry else "",
                          "evidence_name": line.entry.evidence_name if line.entry else ""} for line in lines]
    return data


@router.get("/checklists", response={200: list[SheetOut], **errors(401, 422)}, summary="产业链清单（九个一）及完整度")
def list_sheets(request: HttpRequest, programme: Text = ""):
    sheets = sheets_for(request.user)
    if programme:
        sheets = sheets.filter(programme__code=programme)
    return [_sheet(s) for s in sheets]


@router.get("/checklists/{sheet_id}", response={200: SheetDetailOut, **errors(401, 404, 422)}, summary="一条产业链的清单与佐证")
def get_sheet(request: HttpRequest, sheet_id: DbId):
    return _sheet(get_object_or_404(sheets_for(request.user), pk=sheet_id), items=True)


@router.post("/checklists", response={201: SheetDetailOut, **errors(400, 401, 403, 422)},
             summary="建立产业链清单")
def post_sheet(request: HttpRequest, payload: SheetIn):
    programme = _programme(payload.programme)
    if programme is None:
        raise ValidationError({"programme": ["请填写培育工程编号"]})
    codes = list(programme.checklist_items.filter(applies_to="chain").values_list("checklist_code", flat=True)[:1])
    if not codes:
        raise ValidationError({"programme": [_("培育工程 %(code)s 没有产业链清单") % {"code": programme.code}]})
    cluster = Cluster.objects.for_user(request.user).filter(pk=payload.cluster).first()
    if cluster is None:
        raise ValidationError({"cluster": [_("集群 %(cluster)s 不存在或不在您的范围内") % {"cluster": payload.cluster}]})
    region = Region.objects.filter(code=payload.region).first()
    if region is None:
        raise ValidationError({"region": [_("区划 %(region)s 不存在") % {"region": payload.region}]})
    if not request.user.is_authenticated or request.user.is_read_only:
        raise PermissionDenied("只读角色不能建立清单")
    from jiqun.chains.models import Chain

    chain = Chain.objects.for_user(request.user).filter(pk=payload.chain).first()
    if chain is None:
        raise ValidationError({"chain": [_("产业链（编号 %(id)s）不存在或不在您的范围内") % {"id": payload.chain}]})
    sheet = checklist_create(actor=request.user, programme=programme, checklist_code=codes[0], cluster=cluster,
                             chain=chain, region=region, chief=payload.chief)
    return Status(201, _sheet(sheet, items=True))


@router.put("/checklists/{sheet_id}/items/{item_code}",
            response={200: SheetDetailOut, **errors(400, 401, 403, 404, 422)},
            summary="填报一项是否落实及佐证")
def put_evidence(request: HttpRequest, sheet_id: DbId, item_code: Text, payload: EvidenceIn):
    sheet = get_object_or_404(sheets_for(request.user), pk=sheet_id)
    checklist_evidence_set(actor=request.user, sheet=sheet, item_code=item_code[:10], done=payload.done,
                           evidence=payload.evidence)
    return _sheet(sheet, items=True)
