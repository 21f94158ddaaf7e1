"""/api/v1/ endpoints for quarterly monitoring: periods, reports, values and transitions."""

import datetime
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Body, Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import StrictInt

from jiqun.api.pagination import BoundedPagination
from jiqun.api.schemas import TEXT_KEYS, Amount, BodyIn, DbId, errors
from jiqun.core.text import Text
from jiqun.monitoring.models import CorrectionRequest, Provenance, Report, ReportingPeriod
from jiqun.monitoring.permissions import can_open_period
from jiqun.monitoring.selectors import report_figures, status_matrix
from jiqun.monitoring.services import (
    correction_decide,
    correction_request_create,
    period_default_codes,
    period_indicators,
    period_open,
    report_approve_city,
    report_approve_for_city,
    report_approve_province,
    report_findings,
    report_return,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.values import values_of
from jiqun.programmes.models import Programme

router = Router(tags=["monitoring"])

class PeriodOut(Schema):
    id: int
    programme: str = Field(alias="programme.code")
    year: int
    quarter: int
    months: str
    deadline: datetime.date
    status: str
    indicators: list[str]

    @staticmethod
    def resolve_indicators(obj) -> list[str]:
        return sorted(i.code for i in obj.indicators.all())


class PeriodIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    kind: str = Field(description="flow 本年累计 | stock 期末值")
    level: str = Field(description="cluster 集群填报 | region 区域综合表填报")


class PeriodDetailOut(PeriodOut):
    opened_by: str
    enterprise_level: bool
    reports: int = Field(description="报表份数（集群、成员企业与区域综合表）")
    indicator_set: list[PeriodIndicatorOut] = Field(description="本期填报的指标，集群填报在前")

    @staticmethod
    def resolve_reports(obj) -> int:
        return obj.reports.count()

    @staticmethod
    def resolve_indicator_set(obj) -> list:
        return sorted(obj.indicators.all(), key=lambda i: (i.level != "cluster", i.code))


class PeriodIn(BodyIn):
    programme: Text = Field(max_length=30, description="培育工程编号，如 JN-2020-231")
    year: int = Field(ge=2000, le=2100)
    quarter: int = Field(ge=1, le=4, description="1–4：1-3月、1-6月、1-9月、1-12月（本年累计）")
    deadline: datetime.date
    enterprise_level: bool = Field(False, description="同时为成员企业生成报表")
    indicators: list[Annotated[Text, Field(max_length=60)]] | None = Field(
        None, max_length=200,
        description="填报指标编码；省略时取该工程数据包的统计报送指标（含各数值目标据以计量的指标）")


class ValueOut(Schema):
    indicator: str
    current: Decimal | None
    previous: Decimal | None
    yoy: Decimal | None
    quarter_only: Decimal | None
    note: str
    provenance: str
    revision: int = Field(description="设置该值的修订号（报表页“修改记录”）")


class FindingOut(Schema):
    severity: str
    indicator: str
    field: str
    message: str


class ReportOut(Schema):
    id: int
    period: int = Field(alias="period_id")
    cluster: int | None = Field(None, alias="cluster_id")
    enterprise: int | None = Field(None, alias="enterprise_id")
    region: str | None = Field(None, alias="region_id", description="区域综合表的行政区划代码（如 370800），其他报表为 null")
    subject: str = Field(description="填报对象：集群名、企业名，或“济宁市综合表”")
    status: str

    @staticmethod
    def resolve_subject(obj) -> str:
        return obj.subject_name


class ReportDetailOut(ReportOut):
    revision: int = Field(description="报表当前修订号；修改数值时放在 If-Match 请求头中（If-Match: \"3\"）")
    values: list[ValueOut]
    findings: list[FindingOut]


class ValueIn(BodyIn):
    current: Amount | None = None
    previous: Amount | None = None
    note: Text = Field("", max_length=500)


class TransitionIn(BodyIn):
    action: Text = Field(description="submit | approve | approve_for_city（代市级审核，comment 为必填理由）| return")
    comment: Text = Field("", max_length=2000)


class CorrectionIn(BodyIn):
    changes: dict[Text, ValueIn] = Field(description="{指标编码: {current, previous}}; 只列出要更正的数值",
                                         json_schema_extra=TEXT_KEYS)
    reason: Text = Field(max_length=2000)


class CorrectionOut(Schema):
    id: int
    report: int = Field(alias="report_id")
    changes: dict
    reason: str
    status: str
    requested_by: str
    requested_at: datetime.datetime
    decided_by: str
    decided_at: datetime.datetime | None
    decision_comment: str


class DecisionIn(BodyIn):
    approve: bool
    comment: Text = Field("", max_length=2000)


class MatrixOut(Schema):
    counts: dict[str, int]
    reports: list[dict]


def _detail(report: Report) -> dict:
    figures = report_figures(report)
    findings, _notes = report_findings(report)
    sources = dict(report.revisions.values_list("number", "provenance"))
    values = []
    for code, value in sorted(values_of(report.figures).items()):
        figure = figures.get(code)
        values.append({
            "indicator": code, "current": value.current, "previous": value.previous,
            "yoy": figure.yoy if figure else None, "quarter_only": figure.quarter_only if figure else None,
            "note": value.note, "provenance": sources.get(value.revision, ""), "revision": value.revision,
        })
    return SimpleNamespace(id=report.pk, period_id=report.period_id, cluster_id=report.cluster_id,
                           enterprise_id=report.enterprise_id, region_id=report.region_id,
                           subject_name=report.subject_name, status=report.status, revision=report.revision, values=values,
                           findings=[f.__dict__ for f in findings])


# The If-Match value a revision is sent as: 3, "3" or W/"3". Nine digits are past any revision and keep
# int() away from Unicode digits ("²".isdigit() is true) and from numbers no column holds.
IF_MATCH = re.compile(r'(W/)?"?([0-9]{1,9})"?')
IF_MATCH_HEADER = {"in": "header", "name": "If-Match", "required": True,
                   "schema": {"type": "string", "pattern": f"^{IF_MATCH.pattern}$"},
                   "description": "读取报表时得到的 revision，如 \"3\"；缺少或格式不对时返回 428"}


def _if_match(request: HttpRequest) -> int | None:
    """The revision number an If-Match header names ("3", W/"3" or 3), None when absent or not such a number."""
    found = IF_MATCH.fullmatch(request.headers.get("If-Match", "").strip())
    return int(found.group(2)) if found else None


@router.get("/periods", response={200: list[PeriodOut], **errors(401)}, summary="报告期")
def list_periods(request: HttpRequest):
    return ReportingPeriod.objects.select_related("programme").prefetch_related("indicators")


@router.post("/periods", response={201: PeriodDetailOut, **errors(400, 401, 403, 422)},
             summary="开启报告期（省级管理员）",
             description="为该工程每个未退出的集群生成草稿报表；填报区域级指标时另为工程所在区域生成综合表。"
             "indicators 省略时取工程的统计报送指标；未知编码、计数指标、比率或差值指标及空列表均被拒绝（400），不开启。")
def create_period(request: HttpRequest, payload: PeriodIn):
    if not can_open_period(request.user):  # 403 before anything about the body is looked up
        raise PermissionDenied(_("只有省级管理员可以开启报告期"))
    programme = Programme.objects.filter(code=payload.programme).first()
    if programme is None:
        raise ValidationError({"programme": [_("培育工程 %(code)s 不存在") % {"code": payload.programme}]})
    codes = payload.indicators if payload.indicators is not None else period_default_codes(programme)
    period = period_open(actor=request.user, programme=programme, year=payload.year, quarter=payload.quarter,
                         deadline=payload.deadline, enterprise_level=payload.enterprise_level,
                         indicators=period_indicators(codes))
    return Status(201, period)


@router.get("/periods/{period_id}", response={200: PeriodDetailOut, **errors(401, 404, 422)},
            summary="报告期及其填报指标")
def get_period(request: HttpRequest, period_id: DbId):
    return get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=period_id)


@router.get("/periods/{period_id}/matrix", response={200: MatrixOut, **errors(401, 404, 422)}, summary="填报状态（催报）")
def period_matrix(request: HttpRequest, period_id: DbId):
    period = get_object_or_404(ReportingPeriod, pk=period_id)
    rows, counts = status_matrix(period, Report.objects.for_user(request.user).filter(period=period))
    return {"counts": counts, "reports": [
        {"id": r.report.pk, "subject": r.report.subject_name, "region": r.report.region_id,
         "status": r.report.status, "overdue": r.overdue} for r in rows]}


@router.get("/reports", response={200: list[ReportOut], **errors(401, 422)}, summary="统计报表")
@paginate(BoundedPagination)
def list_reports(request: HttpRequest, period: DbId | None = None, status: Text = ""):
    reports = Report.objects.for_user(request.user).select_related("cluster", "enterprise", "region")
    if period:
        reports = reports.filter(period_id=period)
    if status:
        reports = reports.filter(status=status)
    return reports.order_by("id")


ReportKey = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,18}$")]
Revision = Annotated[StrictInt, Field(ge=0, le=2**63 - 1)]


class BulkApproveIn(BodyIn):
    reports: list[Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]] = Field(
        description="要审核通过的报表 id（最多 500 份）", max_length=500)
    comment: Text = Field("", max_length=2000)
    revisions: dict[ReportKey, Revision] = Field(
        default_factory=dict, max_length=500,
        description="可选：报表 id → 审核人查看时的修订号（读取报表时的 revision）；其后已修改的报表不予通过")


class BulkLineOut(Schema):
    report: int = Field(alias="report_id")
    name: str
    approved: bool
    status: str
    reason: str


class BulkApproveOut(Schema):
    approved: int
    refused: int
    results: list[BulkLineOut]


@router.post("/reports/approve-bulk", response={200: BulkApproveOut, **errors(400, 401, 403, 422)},
             summary="批量审核通过",
             description="逐份重新审核并审核通过所列报表（市级：已提交的；省级：市级审核通过的）。只有没有强制性审核错误、"
                         "核实性审核问题均已说明、且不由调用者填报的报表才会通过；其余逐份说明原因，"
                         "不在调用者范围内的报表答复“不存在或无权访问”。每份报表单独处理，互不影响。")
def post_approve_bulk(request: HttpRequest, payload: BulkApproveIn):
    from jiqun.monitoring.bulk import reports_approve_bulk

    result = reports_approve_bulk(actor=request.user, reports=payload.reports, comment=payload.comment,
                                  seen={int(pk): revision for pk, revision in payload.revisions.items()})
    return {"approved": len(result.approved), "refused": len(result.refused), "results": result.lines}


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **errors(401, 404, 422)}, summary="报表、数值与审核结果")
def get_report(request: HttpRequest, report_id: DbId):
    return _detail(get_object_or_404(Report.objects.for_user(request.user), pk=report_id))


@router.put("/reports/{report_id}/values",
            response={200: ReportDetailOut, **errors(400, 401, 403, 404, 412, 422, 428)},
            summary="填报数值（草稿或退回状态）",
            description="必须带 If-Match 请求头，值为读取报表时得到的 revision（如 If-Match: \"3\"）。"
            "缺少时返回 428；其间他人已修改时返回 412，说明何时由谁修改了哪些指标，本次修改不保存。",
            openapi_extra={"parameters": [IF_MATCH_HEADER]})
def put_values(request: HttpRequest, report_id: DbId,
               payload: Body[Annotated[dict[Text, ValueIn], Field(json_schema_extra=TEXT_KEYS)]]):
    report = get_object_or_404(Report.objects.for_user(request.user), pk=report_id)
    if request.user.is_read_only:  # a write on a report it sees: 403 before anything about the body
        raise PermissionDenied(_("只读角色不能填报或审核报表"))
    base = _if_match(request)
    if base is None:
        return Status(428, {"detail": _("修改报表数值须带 If-Match 请求头，值为读取报表时得到的 revision（如 If-Match: \"3\"）；"
                                        "您的修改未保存。"), "errors": {"If-Match": [_("缺少或不是数字")]}})
    report_values_save(actor=request.user, report=report, base_revision=base,
                       values={code: value.dict() for code, value in payload.items()}, provenance=Provenance.API)
    return _detail(report)


@router.post("/reports/{report_id}/transitions",
             response={200: ReportDetailOut, **errors(400, 401, 403, 404, 422)},
             summary="提交、审核通过、代市级审核或退回")
def post_transition(request: HttpRequest, report_id: DbId, payload: TransitionIn):
    report = get_object_or_404(Report.objects.for_user(request.user), pk=report_id)
    if request.user.is_read_only:  # a write on a report it sees: 403 whatever the body asks
        raise PermissionDenied(_("只读角色不能提交、审核或退回报表"))
    if payload.action == "submit":
        report = report_submit(actor=request.user, report=report, comment=payload.comment)
    elif payload.action == "approve":
        approve = report_approve_city if report.status == "submitted" else report_approve_province
        report = approve(actor=request.user, report=report, comment=payload.comment)
    elif payload.action == "approve_for_city":
        report = report_approve_for_city(actor=request.user, report=report, reason=payload.comment)
    elif payload.action == "return":
        report = report_return(actor=request.user, report=report, reason=payload.comment)
    else:
        raise ValidationError({"action": [_("未知操作“%(action)s”，应为 submit、approve、approve_for_city 或 return") % {"action": payload.action}]})
    return _detail(report)


@router.get("/reports/{report_id}/corrections", response={200: list[CorrectionOut], **errors(401, 404, 422)}, summary="更正申请")
def list_corrections(request: HttpRequest, report_id: DbId):
    return get_object_or_404(Report.objects.for_user(request.user), pk=report_id).corrections.all()


@router.post("/reports/{report_id}/corrections",
             response={201: CorrectionOut, **errors(400, 401, 403, 404, 422)},
             summary="对已锁定报表申请更正（省级审批后生效）")
def post_correction(request: HttpRequest, report_id: DbId, payload: CorrectionIn):
    report = get_object_or_404(Report.objects.for_user(request.user), pk=report_id)
    changes = {code: value.dict() for code, value in payload.changes.items()}
    return Status(201, correction_request_create(actor=request.user, report=report, changes=changes,
                                                 reason=payload.reason))


@router.post("/corrections/{correction_id}/decision",
             response={200: CorrectionOut, **errors(400, 401, 403, 404, 422)},
             summary="审批更正申请（省级）")
def post_correction_decision(request: HttpRequest, correction_id: DbId, payload: DecisionIn):
    visible = Report.objects.for_user(request.user)
    correction = get_object_or_404(CorrectionRequest.objects.filter(report__in=visible), pk=correction_id)
    return correction_decide(actor=request.user, correction=correction, approve=payload.approve,
                             comment=payload.comment)

