"""/api/v1/evaluation/: schemes, runs and their rows, with the pages' scoping (a run or row outside the
caller's scope is a 404 or absent); the province starts and publishes runs."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.core.text import Text
from jiqun.evaluation.bonus import bonus_claim_create, bonus_claim_decide, claims_for
from jiqun.evaluation.permissions import can_claim_bonus, can_publish_evaluation, can_run_evaluation
from jiqun.evaluation.selectors import consequences_for, rows_for, run_for, runs_for, schemes_for
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish
from jiqun.regions.models import Region

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
    regions: dict | None = Field(default=None, description="区域方案的参评地区：level（city/county）和 within（地区代码）；集群方案为 null")
    projects: dict | None = Field(default=None, description="项目方案（观摩评比）的参评项目：kinds 新上项目类型、renovation_kinds 技改项目类型、min_level 最低重大项目级别；其他方案为 null")
    bonus: dict | None = Field(default=None, description="加分项 items（code、label、points 每项分值、cap 上限、clause、source，source 为 projects 时 projects 为计数规则）和 may_exceed_100；无则为 null")
    veto: list[dict] = Field(default_factory=list, description="一票否决条件：code、label、kinds 事件类别、min_severity 最低等级、window_years 近几年、clause 依据")


class RowOut(Schema):
    cluster: int | None = Field(description="集群评价的集群编号；区域评价为 null")
    region: str | None = Field(default=None, description="区域评价的地区代码（GB/T 2260）；集群评价为 null")
    project: int | None = Field(default=None, description="项目评价（观摩评比）的项目编号；其他评价为 null")
    name: str
    rank: int | None
    score: float | None = Field(description="百分制得分")
    grade: str
    rank_interval: list[int] | None = Field(description="权重在 ±10% 内扰动 1000 次时的最好与最差名次")
    excluded: str = Field(description="未参评的原因（一票否决、参评条件、缺失数据及方案规则）")
    veto: list[dict] = Field(default_factory=list, description="一票否决：命中的否决条件、事件、日期、文号和依据条款（取自输入快照）")
    bonus: float | None = Field(default=None, description="计入得分的核定加分（方案有加分项时）")


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
            "regions": s.regions or None, "projects": s.projects or None, "bonus": s.bonus or None,
            "veto": s.veto or []}


def _run(run) -> dict:
    return {"id": run.pk, "scheme": run.scheme.code, "version": run.scheme.version, "name": run.scheme.name,
            "year": run.year, "status": run.status, "created_at": run.created_at, "published_at": run.published_at}


def _detail(user, run) -> dict:
    visible = rows_for(user, run)
    vetoed = {e.get("cluster"): e["veto"] for e in (run.result or {}).get("excluded", []) if e.get("veto")}
    rows = [{"cluster": r.cluster_id, "region": r.region_id, "project": r.project_id, "name": r.subject_name, "rank": r.rank,
             "score": None if r.score is None else float(r.score), "grade": r.grade,
             "rank_interval": None if r.rank_min is None else [r.rank_min, r.rank_max], "excluded": r.exclusion,
             "bonus": None if r.bonus is None else float(r.bonus), "veto": vetoed.get(r.cluster_id, [])}
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
    if scheme is None and payload.version is not None:
        versions = list(schemes_for(request.user).filter(code=payload.scheme).order_by("version")
                        .values_list("version", flat=True))
        if versions:
            raise ValidationError({"version": [_("评价方案 %(code)s 没有第%(v)s版（已有：%(known)s）") % {
                "code": payload.scheme, "v": payload.version, "known": "、".join(f"第{v}版" for v in versions)}]})
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


# --- copying and editing a scheme version; experts' AHP judgements ------------------------------------

class SchemeEditOut(SchemeOut):
    revision: int = Field(description="修订号；修改时在 revision 中带上，过时的修改得到 412")


class CopyIn(BodyIn):
    code: Text = Field(default="", max_length=60, description="留空为本方案的下一个版本；填写则另存为新方案（第1版）")


class ItemPatchIn(BodyIn):
    weight: float | None = Field(default=None, ge=0, le=1)
    direction: Literal["benefit", "cost"] | None = None
    label: Text | None = Field(default=None, max_length=100)
    clause: Text | None = Field(default=None, max_length=200)


class ItemAddIn(BodyIn):
    indicator: Text = Field(max_length=60, description="指标目录中的编码")
    dimension: Text = Field(max_length=40)
    weight: float = Field(ge=0, le=1)
    code: Text | None = Field(default=None, max_length=80, description="方案内编码；默认为指标编码")
    direction: Literal["benefit", "cost"] = "benefit"
    label: Text = Field(default="", max_length=100)
    clause: Text = Field(default="", max_length=200)


class SchemePatchIn(BodyIn):
    revision: int | None = Field(default=None, ge=1, description="读取方案时得到的修订号（必填）")
    name: Text | None = Field(default=None, max_length=100)
    weight_method: Literal["fixed", "entropy", "critic", "combined", "ahp"] | None = None
    combine_alpha: float | None = Field(default=None, ge=0, le=1)
    normalisation: Literal["max", "minmax", "vector"] | None = None
    aggregation: Literal["weighted_sum", "topsis"] | None = None
    grades: dict[Literal["优秀", "良好", "合格"], float] | None = Field(default=None, description="等级分数线（百分制），三项都给")
    missing_rule: Literal["excluded", "zero", "imputed_mean"] | None = None
    weights_note: Text | None = Field(default=None, max_length=200)
    clause: Text | None = Field(default=None, max_length=200)
    items: dict[str, ItemPatchIn] | None = Field(default=None, description="指标编码 → 修改的权重、方向、显示名称、依据")
    remove: list[str] | None = Field(default=None, description="要删除的指标编码")
    add: list[ItemAddIn] | None = Field(default=None, description="从指标目录新增的指标（同数据包 items 的写法）")


def _edited(scheme) -> dict:
    return {**_scheme(scheme), "revision": scheme.revision}


def _scheme_for(user, scheme_id: int):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(schemes_for(user), pk=scheme_id)


@router.post("/evaluation/schemes/{scheme_id}/copy", response={201: SchemeEditOut, **errors(400, 401, 403, 404, 422)},
             summary="复制方案版本为未锁定的新版本，或另存为新方案（省级管理员）")
def post_scheme_copy(request: HttpRequest, scheme_id: DbId, payload: CopyIn):
    from jiqun.evaluation.scheme_edit import scheme_copy

    scheme = _scheme_for(request.user, scheme_id)
    return Status(201, _edited(scheme_copy(actor=request.user, scheme=scheme, code=payload.code)))


@router.patch("/evaluation/schemes/{scheme_id}", response={200: SchemeEditOut, **errors(400, 401, 403, 404, 412, 422)},
              summary="修改未锁定的方案版本（省级管理员；按数据包的规则检查；已锁定的版本不能修改）")
def patch_scheme(request: HttpRequest, scheme_id: DbId, payload: SchemePatchIn):
    from jiqun.evaluation.scheme_edit import scheme_update

    scheme = _scheme_for(request.user, scheme_id)
    changes = payload.dict(exclude_unset=True, exclude_none=True)
    base = changes.pop("revision", None)
    changes = {k: ({g: str(v) for g, v in value.items()} if k == "grades" else str(value) if isinstance(value, float)
                   else value) for k, value in changes.items()}
    if "add" in changes:
        changes["add"] = [{k: str(v) if isinstance(v, float) else v for k, v in item.items()}
                          for item in changes["add"]]
    if "items" in changes:
        changes["items"] = {code: {k: str(v) if isinstance(v, float) else v for k, v in item.items()}
                            for code, item in changes["items"].items()}
    return _edited(scheme_update(actor=request.user, scheme=scheme, changes=changes, base_revision=base))


class AhpMatrixOut(Schema):
    key: str = Field(description="矩阵编号：D 为维度之间，Dk 为第 k 个维度内的指标")
    title: str
    names: list[str]
    codes: list[str]
    pairs: list[list[str]] = Field(description="上三角逐行的比较对（前者, 后者）；judgements 按此顺序")
    judgements: list[str] | None = Field(description="已保存的判断（Saaty 标度：9…1…1/9）")
    cr: float | None = Field(description="已保存判断的一致性比率；超过 0.10 不能提交")


class InvitationOut(Schema):
    id: int
    consultation: int
    consultation_status: str
    scheme: str
    version: int = Field(description="判断的版本号；保存时在 version 中带上，过时的保存得到 412")
    expert: str
    status: str = Field(description="invited 填写中；submitted 已提交")
    scale: list[str]
    matrices: list[AhpMatrixOut]


class JudgementsIn(BodyIn):
    version: int | None = Field(default=None, ge=1, description="读取时得到的 version（必填）")
    judgements: dict[str, list[str]] = Field(default_factory=dict, description="矩阵编号 → 上三角逐行的判断")
    submit: bool = Field(default=False, description="保存后提交（每个矩阵都已填写且 CR ≤ 0.10）")


def _invitation(inv) -> dict:
    from jiqun.evaluation.ahp_matrices import SAATY_SCALE
    from jiqun.evaluation.ahp_services import consultation_matrices

    scheme = inv.consultation.scheme
    return {"id": inv.pk, "consultation": inv.consultation_id, "consultation_status": inv.consultation.status,
            "scheme": f"{scheme.code} v{scheme.version}", "version": inv.version, "expert": inv.expert.name,
            "status": inv.status, "scale": list(SAATY_SCALE),
            "matrices": [{"key": m.key, "title": m.title, "names": list(m.names), "codes": list(m.codes),
                          "pairs": [[m.names[i], m.names[j]] for i, j in m.pairs],
                          "judgements": inv.judgements.get(m.key), "cr": inv.consistency.get(m.key)}
                         for m in consultation_matrices(inv.consultation)]}


def _invitation_for(user, invitation_id: int):
    from django.shortcuts import get_object_or_404

    from jiqun.evaluation.models import AhpInvitation

    return get_object_or_404(AhpInvitation.objects.for_user(user).select_related("consultation__scheme", "expert"),
                             pk=invitation_id)


@router.get("/evaluation/ahp/invitations", response={200: list[InvitationOut], **errors(401)},
            summary="层次分析法征询邀请（专家只见自己的；省级见全部）")
def list_invitations(request: HttpRequest):
    from jiqun.evaluation.models import AhpInvitation

    return [_invitation(i) for i in AhpInvitation.objects.for_user(request.user)
            .select_related("consultation__scheme", "expert").order_by("pk")]


@router.get("/evaluation/ahp/invitations/{invitation_id}", response={200: InvitationOut, **errors(401, 404, 422)},
            summary="一份邀请的判断矩阵、已保存的判断及其一致性比率")
def get_invitation(request: HttpRequest, invitation_id: DbId):
    return _invitation(_invitation_for(request.user, invitation_id))


@router.put("/evaluation/ahp/invitations/{invitation_id}/judgements",
            response={200: InvitationOut, **errors(400, 401, 403, 404, 412, 422)},
            summary="受邀专家保存（并可提交）两两比较判断")
def put_judgements(request: HttpRequest, invitation_id: DbId, payload: JudgementsIn):
    from jiqun.evaluation.ahp_services import judgements_save, judgements_submit

    invitation = _invitation_for(request.user, invitation_id)
    if payload.judgements or not payload.submit:
        invitation = judgements_save(actor=request.user, invitation=invitation, judgements=payload.judgements,
                                     base_version=payload.version)
    if payload.submit:
        invitation = judgements_submit(actor=request.user, invitation=invitation)
    return _invitation(_invitation_for(request.user, invitation.pk))


# --- 加分事项 (bonus claims) -----------------------------------------------------------------------------


class ClaimOut(Schema):
    id: int
    region: str = Field(description="地区代码")
    region_name: str
    year: int
    item: str = Field(description="加分项：方案编码/加分项编码")
    item_label: str
    description: str
    evidence: str
    state: str = Field(description="claimed 申报；approved 核定；rejected 不予核定；withdrawn 已撤回")
    state_label: str
    reason: str = Field(description="不予核定的理由")
    claimed_by: str
    claimed_at: datetime.datetime
    decided_by: str
    decided_at: datetime.datetime | None
    version: int = Field(description="版本号；处理（decide）时原样带回，其间他人已处理则返回 412")


class ClaimIn(BodyIn):
    region: Text = Field(description="地区代码，须为调用者本人所在地区")
    year: int = Field(ge=2000, le=2100)
    item: Text = Field(description="加分项：方案编码/加分项编码，如 jn-2020-231-county-kaohe/major-project")
    description: Text = Field(description="事项说明：项目名称、投资额、所属集群和产业链环节")
    evidence: Text = Field(description="证明材料：文件文号或材料说明")


class ClaimDecisionIn(BodyIn):
    decision: str = Field(description="approve 核定、reject 不予核定（或撤销核定）——省级；withdraw 撤回——申报地区")
    reason: Text = Field(default="", description="不予核定的理由（reject 时必填）")
    version: int = Field(ge=1, description="所依据的版本号")


def _claim(c) -> dict:
    return {"id": c.pk, "region": c.region_id, "region_name": c.region.name, "year": c.year,
            "item": f"{c.scheme_code}/{c.item}", "item_label": c.item_label, "description": c.description,
            "evidence": c.evidence, "state": c.state, "state_label": c.get_state_display(), "reason": c.reason,
            "claimed_by": c.claimed_by, "claimed_at": c.claimed_at, "decided_by": c.decided_by,
            "decided_at": c.decided_at, "version": c.version}


@router.get("/evaluation/bonus", response={200: list[ClaimOut], **errors(401, 422)},
            summary="加分事项（调用者所在地区及其下级地区的）")
def list_claims(request: HttpRequest, year: int | None = None, state: str | None = None):
    claims = claims_for(request.user)
    if year is not None:
        claims = claims.filter(year=year)
    if state is not None:
        claims = claims.filter(state=state)
    return [_claim(c) for c in claims]


@router.get("/evaluation/bonus/{claim_id}", response={200: ClaimOut, **errors(401, 404, 422)}, summary="一项加分事项")
def get_claim(request: HttpRequest, claim_id: DbId):
    return _claim(get_object_or_404(claims_for(request.user), pk=claim_id))


@router.post("/evaluation/bonus", response={201: ClaimOut, **errors(400, 401, 403, 422)},
             summary="申报加分事项（本地区的市或县区工作人员；待省级核定）")
def post_claim(request: HttpRequest, payload: ClaimIn):
    if not can_claim_bonus(request.user, payload.region):
        raise PermissionDenied(_("加分事项由本地区（市或县区）的工作人员申报"))
    region = Region.objects.get(code=payload.region)
    claim = bonus_claim_create(actor=request.user, region=region, year=payload.year, item=payload.item,
                               description=payload.description, evidence=payload.evidence)
    return Status(201, _claim(claim))


@router.post("/evaluation/bonus/{claim_id}/decide", response={200: ClaimOut, **errors(400, 401, 403, 404, 412, 422)},
             summary="处理加分事项：核定、不予核定（省级管理员）或撤回（申报地区）；其间他人已处理返回 412")
def post_decide(request: HttpRequest, claim_id: DbId, payload: ClaimDecisionIn):
    claim = get_object_or_404(claims_for(request.user), pk=claim_id)
    return _claim(bonus_claim_decide(actor=request.user, claim=claim, decision=payload.decision,
                                     reason=payload.reason, base_version=payload.version))


# --- 现场观摩得分 (on-site observation scores of a project scheme) ------------------------------------------


def _not_bool(value):
    """JSON true is not version 1 (pydantic's lax mode would take it as 1); 2.0 still is 2, as JSON Schema says."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Version = Annotated[int, Field(ge=1), BeforeValidator(_not_bool)]


class ObservationOut(Schema):
    id: int
    scheme: str = Field(description="观摩评比方案编码（项目方案）")
    year: int
    project: int = Field(description="项目编号（数据库编号）")
    project_code: str = Field(description="项目编号（如 370800-2024-0001）")
    project_name: str
    observer: str = Field(description="观摩人员：打分人姓名或观摩组编号")
    score: float = Field(description="现场得分（0–100，最多一位小数）")
    note: str
    entered_by: str
    entered_at: datetime.datetime
    version: int = Field(description="版本号；修改或删除时原样带回，其间他人已修改则返回 412")


class ObservationIn(BodyIn):
    scheme: Text = Field(max_length=60, description="观摩评比方案编码（项目方案），如 jn-2020-231-guanmo")
    year: int = Field(ge=2000, le=2100)
    project: DbId = Field(description="项目编号（数据库编号）；须为该方案当年的参评项目")
    observer: Text = Field(max_length=100, description="观摩人员：打分人姓名或观摩组编号")
    score: float = Field(strict=True, ge=0, le=100, description="现场得分（0–100，最多一位小数）")
    note: Text = Field(default="", max_length=300, description="说明")


class ObservationPatchIn(BodyIn):
    version: Version | None = Field(default=None, description="读取得分时得到的版本号（必填）")
    score: float = Field(strict=True, ge=0, le=100, description="现场得分（0–100，最多一位小数）")
    note: Text | None = Field(default=None, max_length=300, description="说明；省略为不变")


def _observation(s) -> dict:
    return {"id": s.pk, "scheme": s.scheme_code, "year": s.year, "project": s.project_id,
            "project_code": s.project.code, "project_name": s.project.name, "observer": s.observer,
            "score": float(s.score), "note": s.note, "entered_by": s.entered_by, "entered_at": s.entered_at,
            "version": s.version}


def _observation_for(user, score_id: int):
    from jiqun.evaluation.models import ObservationScore

    return get_object_or_404(ObservationScore.objects.for_user(user).select_related("project"), pk=score_id)


def _may_enter_observation(user) -> None:
    from jiqun.evaluation.permissions import can_enter_observation

    if not can_enter_observation(user):
        raise PermissionDenied(_("现场观摩得分由省级管理员录入"))


@router.get("/evaluation/observations", response={200: list[ObservationOut], **errors(401, 422)},
            summary="现场观摩得分（调用者可见项目的；可按方案、年度、项目筛选）")
def list_observations(request: HttpRequest, scheme: Text = "", year: Annotated[int, Field(ge=2000, le=2100)] | None = None,
                      project: DbId | None = None):
    from jiqun.evaluation.models import ObservationScore

    scores = ObservationScore.objects.for_user(request.user).select_related("project")
    if scheme:
        scores = scores.filter(scheme_code=scheme)
    if year is not None:
        scores = scores.filter(year=year)
    if project is not None:
        scores = scores.filter(project_id=project)
    return [_observation(s) for s in scores.order_by("-year", "scheme_code", "project__code", "observer", "pk")]


@router.get("/evaluation/observations/{score_id}", response={200: ObservationOut, **errors(401, 404, 422)},
            summary="一条现场观摩得分")
def get_observation(request: HttpRequest, score_id: DbId):
    return _observation(_observation_for(request.user, score_id))


@router.post("/evaluation/observations", response={201: ObservationOut, **errors(400, 401, 403, 422)},
             summary="录入现场观摩得分（省级管理员；同一观摩人员对同一项目只录一次，修改用 PATCH）")
def post_observation(request: HttpRequest, payload: ObservationIn):
    from jiqun.evaluation.observations import observation_score_record
    from jiqun.projects.models import Project

    _may_enter_observation(request.user)
    project = Project.objects.for_user(request.user).filter(pk=payload.project).first()
    if project is None:
        raise ValidationError({"project": [_("项目（编号 %(id)s）不存在或不在您的范围内") % {"id": payload.project}]})
    score = observation_score_record(actor=request.user, scheme_code=payload.scheme, year=payload.year,
                                     project=project, observer=payload.observer, score=str(payload.score),
                                     note=payload.note)
    return Status(201, _observation(_observation_for(request.user, score.pk)))


@router.patch("/evaluation/observations/{score_id}",
              response={200: ObservationOut, **errors(400, 401, 403, 404, 412, 422)},
              summary="修改现场观摩得分（省级管理员）",
              description="请求体须带 version（读取得分时得到的版本号）；其间他人已修改时返回 412。")
def patch_observation(request: HttpRequest, score_id: DbId, payload: ObservationPatchIn):
    from jiqun.core.stale import version_missing
    from jiqun.evaluation.observations import observation_score_record

    found = _observation_for(request.user, score_id)
    _may_enter_observation(request.user)
    if payload.version is None:
        raise version_missing(kind=_("现场观摩得分"))
    score = observation_score_record(
        actor=request.user, scheme_code=found.scheme_code, year=found.year, project=found.project,
        observer=found.observer, score=str(payload.score), note=found.note if payload.note is None else payload.note,
        base_version=payload.version)
    return _observation(_observation_for(request.user, score.pk))


@router.delete("/evaluation/observations/{score_id}", response={204: None, **errors(400, 401, 403, 404, 412, 422)},
               summary="删除现场观摩得分（省级管理员；查询参数 version 必填，其间他人已修改时返回 412）")
def delete_observation(request: HttpRequest, score_id: DbId,
                       version: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None):
    from jiqun.core.stale import version_missing
    from jiqun.evaluation.observations import observation_score_delete

    found = _observation_for(request.user, score_id)
    _may_enter_observation(request.user)
    if version is None:
        raise version_missing(kind=_("现场观摩得分"))
    observation_score_delete(actor=request.user, score=found, base_version=version)
    return Status(204, None)
