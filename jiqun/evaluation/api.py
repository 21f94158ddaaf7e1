"""/api/v1/evaluation/: schemes, runs and their rows, with the pages' scoping (a run or row outside the
caller's scope is a 404 or absent); the province starts and publishes runs."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.core.text import Text
from jiqun.evaluation.permissions import can_publish_evaluation, can_run_evaluation
from jiqun.evaluation.selectors import consequences_for, rows_for, run_for, runs_for, schemes_for
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish

router = Router(tags=["evaluation"])


class ItemOut(Schema):
    code: str
    dimension: str
    indicator: str
    params: dict = Field(description="名录计数指标的口径")
    name: str
    unit: str
    direction: str
    weight: float
    clause: str


class SchemeOut(Schema):
    id: int
    code: str
    version: int
    name: str
    programme: str
    subject_kind: str
    weight_method: str
    normalisation: str
    aggregation: str
    missing_rule: str
    grades: dict[str, float] = Field(description="等级分数线（百分制）：优秀、良好、合格")
    clause: str
    weights_note: str
    locked: bool = Field(description="已有发布的评价使用此版本，不能修改")
    consequences: dict | None = Field(description="发布的后果：warn_grade 转预警的等级，exit_after 连续几年提议退出，clause 依据；null 为无")
    items: list[ItemOut]
    veto: list[dict] = Field(default_factory=list, description="一票否决条件：code、label、kinds 事件类别、min_severity 最低等级、window_years 近几年、clause 依据")


class RowOut(Schema):
    cluster: int
    name: str
    rank: int | None
    score: float | None = Field(description="百分制得分")
    grade: str
    rank_interval: list[int] | None = Field(description="权重在 ±10% 内扰动 1000 次时的最好与最差名次")
    excluded: str = Field(description="未参评的原因（一票否决、参评条件、缺失数据及方案规则）")
    veto: list[dict] = Field(default_factory=list, description="一票否决：命中的否决条件、事件、日期、文号和依据条款（取自输入快照）")


class RunOut(Schema):
    id: int
    scheme: str
    version: int
    name: str
    year: int
    status: str
    created_at: datetime.datetime
    published_at: datetime.datetime | None


class ConsequenceOut(Schema):
    cluster: int
    name: str
    grade: str
    action: str = Field(description="warned 转为预警；exit_proposed 提议退出；skipped 未处理")
    label: str
    reason: str = Field(description="未处理的原因，或退出申请的理由")
    proposal: int | None = Field(default=None, description="退出申请编号，省级确认或驳回")


class RunDetailOut(RunOut):
    parameters: dict
    consequences: list[ConsequenceOut] = Field(description="发布时对调用者可见集群所做的处理")
    rows: list[RowOut] = Field(description="调用者可见的集群行")


class RunIn(BodyIn):
    scheme: Text = Field(description="评价方案编码")
    version: int | None = Field(default=None, ge=1, description="方案版本；省略为最新版本")
    year: int = Field(ge=2000, le=2100)


def _scheme(s) -> dict:
    return {"id": s.pk, "code": s.code, "version": s.version, "name": s.name, "programme": s.programme.code,
            "subject_kind": s.subject_kind, "weight_method": s.weight_method, "normalisation": s.normalisation,
            "aggregation": s.aggregation, "missing_rule": s.missing_rule,
            "grades": {"优秀": float(s.grade_excellent), "良好": float(s.grade_good), "合格": float(s.grade_pass)},
            "clause": s.clause, "weights_note": s.weights_note, "locked": s.locked,
            "consequences": {"warn_grade": s.warn_grade, "exit_after": s.exit_after, "clause": s.consequences_clause}
            if s.warn_grade else None,
            "items": [{"code": i.code, "dimension": i.dimension, "indicator": i.indicator.code, "name": i.name,
                       "params": i.params,
                       "unit": i.indicator.unit, "direction": i.direction, "weight": float(i.weight),
                       "clause": i.clause} for i in s.items.select_related("indicator").order_by("order")],
            "veto": s.veto or []}


def _run(run) -> dict:
    return {"id": run.pk, "scheme": run.scheme.code, "version": run.scheme.version, "name": run.scheme.name,
            "year": run.year, "status": run.status, "created_at": run.created_at, "published_at": run.published_at}


def _detail(user, run) -> dict:
    visible = rows_for(user, run)
    vetoed = {e["cluster"]: e["veto"] for e in (run.result or {}).get("excluded", []) if e.get("veto")}
    rows = [{"cluster": r.cluster_id, "name": r.cluster.name, "rank": r.rank,
             "score": None if r.score is None else float(r.score), "grade": r.grade,
             "rank_interval": None if r.rank_min is None else [r.rank_min, r.rank_max], "excluded": r.excluded,
             "veto": vetoed.get(r.cluster_id, [])}
            for r in visible]
    return {**_run(run), "parameters": run.parameters, "rows": rows,
            "consequences": consequences_for(user, run, visible)}


@router.get("/evaluation/schemes", response={200: list[SchemeOut], **errors(401)}, summary="评价方案")
def list_schemes(request: HttpRequest):
    return [_scheme(s) for s in schemes_for(request.user)]


@router.get("/evaluation/runs", response={200: list[RunOut], **errors(401, 422)},
            summary="评价结果（省级可见未发布的，其他角色只见已发布的）")
def list_runs(request: HttpRequest, year: int | None = None):
    runs = runs_for(request.user)
    if year is not None:
        runs = runs.filter(year=year)
    return [_run(r) for r in runs]


@router.get("/evaluation/runs/{run_id}", response={200: RunDetailOut, **errors(401, 404, 422)},
            summary="一次评价的排名（仅调用者可见的集群）")
def get_run(request: HttpRequest, run_id: DbId):
    return _detail(request.user, run_for(request.user, run_id))


@router.post("/evaluation/runs", response={201: RunDetailOut, **errors(400, 401, 403, 422)},
             summary="按某年省级审核通过的数据开展评价（省级管理员；结果未发布）")
def post_run(request: HttpRequest, payload: RunIn):
    if not can_run_evaluation(request.user):
        raise PermissionDenied(_("只有省级管理员可以开展评价"))
    schemes = schemes_for(request.user).filter(code=payload.scheme)
    if payload.version is not None:
        schemes = schemes.filter(version=payload.version)
    scheme = schemes.order_by("-version").first()
    if scheme is None:
        raise ValidationError({"scheme": [_("评价方案 %(code)s 不存在") % {"code": payload.scheme}]})
    run = evaluation_run_create(actor=request.user, scheme=scheme, year=payload.year)
    return Status(201, _detail(request.user, run))


@router.post("/evaluation/runs/{run_id}/publish", response={200: RunDetailOut, **errors(400, 401, 403, 404, 422)},
             summary="发布评价结果（省级管理员；锁定方案此版本）")
def post_publish(request: HttpRequest, run_id: DbId):
    run = run_for(request.user, run_id)
    if not can_publish_evaluation(request.user):
        raise PermissionDenied(_("只有省级管理员可以发布评价结果"))
    run = evaluation_run_publish(actor=request.user, run=run)
    return _detail(request.user, run)
