"""/api/v1/reports/quarterly and /api/v1/reports/halfyear: the reports that go up the hierarchy, as files."""

from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from jiqun.api.schemas import DbId, errors
from jiqun.core.text import Text
from jiqun.reports.builders import BadParameters, NotFound
from jiqun.reports.services import DOCX, XLSX, report_produce

router = Router(tags=["reports"])


class ReportQuery(Schema):
    programme: Text = Field("", max_length=30, description="培育工程编号")
    year: Text = Field("", max_length=4, description="年份，如 2026")
    quarter: Text = Field("", max_length=1, description="季度 1-4（半年报汇总表只有 2 和 4）")
    region: Text = Field("", max_length=6, description="区划代码（省或市），不给则为调用者所在地区")
    cluster: Text = Field("", max_length=60, description="集群编码（仅季度分析）")


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
            summary="季度分析报告（Word）", openapi_extra=_binary(DOCX, "季度分析报告 .docx"))
def quarterly(request: HttpRequest, query: Query[ReportQuery]) -> HttpResponse:
    """The quarterly analysis of a region (default: the caller's) or a cluster, in the caller's scope."""
    return _file(request, "quarterly", query.dict())


@router.get("/reports/halfyear", response={200: None, **errors(400, 401, 404, 422)},
            summary="半年报汇总表（Excel）", openapi_extra=_binary(XLSX, "半年报汇总表 .xlsx"))
def halfyear(request: HttpRequest, query: Query[ReportQuery]) -> HttpResponse:
    """The half-yearly summary (quarter 2: 1-6月, quarter 4: 1-12月) of a region's clusters, in the caller's scope."""
    return _file(request, "halfyear", query.dict())


@router.get("/reports/evaluation/{run_id}", response={200: None, **errors(400, 401, 404, 422)},
            summary="年度评价报告（Word）", openapi_extra=_binary(DOCX, "年度评价报告 .docx"))
def evaluation(request: HttpRequest, run_id: DbId) -> HttpResponse:
    """The annual evaluation report of a published run the caller sees (a draft run: 400)."""
    return _file(request, "evaluation", {"run": str(run_id)})
