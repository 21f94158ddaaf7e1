"""/api/v1/reports/quarterly, /halfyear, /evaluation/{run_id} (Word or PDF) and /cluster/{cluster_id} (the cluster
one-pager, PDF), /notice/{call_id} (a recognition round's result notice, Word): the reports that go up the
hierarchy, as files."""

from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from jiqun.api.schemas import DbId, errors
from jiqun.core.text import Text
from jiqun.reports.builders import BadParameters, NotFound
from jiqun.reports.services import DOCX, PDF, XLSX, report_produce

router = Router(tags=["reports"])


class ReportQuery(Schema):
    programme: Text = Field("", max_length=30, description="培育工程编号")
    year: Text = Field("", max_length=4, description="年份，如 2026")
    quarter: Text = Field("", max_length=1, description="季度 1-4（半年报汇总表只有 2 和 4）")
    region: Text = Field("", max_length=6, description="区划代码（省或市），不给则为调用者所在地区")
    cluster: Text = Field("", max_length=60, description="集群编码（仅季度分析）")


class QuarterlyQuery(ReportQuery):
    format: Text = Field("docx", max_length=4, description="docx（Word，默认）或 pdf")


class EvaluationQuery(Schema):
    format: Text = Field("docx", max_length=4, description="docx（Word，默认）或 pdf")


def _file(request: HttpRequest, kind: str, params: dict) -> HttpResponse:
    try:
        produced = report_produce(actor=request.user, kind=kind, params=params)
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except BadParameters as exc:
        raise ValidationError({name: [message] for name, message in exc.errors.items()}) from exc
    response = HttpResponse(produced.content, content_type=produced.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(produced.filename)}"
    return response


def _binary(media: str, description: str) -> dict:
    return {"responses": {200: {"description": description,
                                "content": {media: {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/reports/quarterly", response={200: None, **errors(400, 401, 404, 422)},
            summary="季度分析报告（Word 或 PDF）", openapi_extra={"responses": {200: {
                "description": "季度分析报告 .docx 或 .pdf", "content": {
                    m: {"schema": {"type": "string", "format": "binary"}} for m in (DOCX, PDF)}}}})
def quarterly(request: HttpRequest, query: Query[QuarterlyQuery]) -> HttpResponse:
    """The quarterly analysis of a region (default: the caller's) or a cluster, in the caller's scope;
    format=pdf for PDF."""
    return _file(request, "quarterly", query.dict())


@router.get("/reports/halfyear", response={200: None, **errors(400, 401, 404, 422)},
            summary="半年报汇总表（Excel）", openapi_extra=_binary(XLSX, "半年报汇总表 .xlsx"))
def halfyear(request: HttpRequest, query: Query[ReportQuery]) -> HttpResponse:
    """The half-yearly summary (quarter 2: 1-6月, quarter 4: 1-12月) of a region's clusters, in the caller's scope."""
    return _file(request, "halfyear", query.dict())


def _binaries(description: str, *media: str) -> dict:
    return {"responses": {200: {"description": description, "content": {
        m: {"schema": {"type": "string", "format": "binary"}} for m in media}}}}


@router.get("/reports/evaluation/{run_id}", response={200: None, **errors(400, 401, 404, 422)},
            summary="年度评价报告（Word 或 PDF）", openapi_extra=_binaries("年度评价报告 .docx 或 .pdf", DOCX, PDF))
def evaluation(request: HttpRequest, run_id: DbId, query: Query[EvaluationQuery]) -> HttpResponse:
    """The annual evaluation report of a published run the caller sees (a draft run: 400); format=pdf for PDF."""
    return _file(request, "evaluation", {"run": str(run_id), "format": query.format})


@router.get("/reports/cluster/{cluster_id}", response={200: None, **errors(400, 401, 404, 422)},
            summary="集群一页纸（PDF）", openapi_extra=_binary(PDF, "集群一页纸 .pdf"))
def cluster(request: HttpRequest, cluster_id: DbId) -> HttpResponse:
    """The one-pager of a cluster the caller sees: profile, latest figures with 同比 and a trend, targets, chain
    gaps, the largest projects."""
    return _file(request, "cluster", {"cluster_id": str(cluster_id)})


@router.get("/reports/notice/{call_id}", response={200: None, **errors(400, 401, 404, 422)},
            summary="认定结果公示（Word）", openapi_extra=_binary(DOCX, "认定结果公示 .docx"))
def notice(request: HttpRequest, call_id: DbId) -> HttpResponse:
    """The result notice (公示名单) of a recognition round in 公示 or done: the recognised clusters in rank
    order with their combined scores. The province's document: anyone else, or a round the caller does not
    see, 404; a round not yet published, 400."""
    return _file(request, "notice", {"call": str(call_id)})
