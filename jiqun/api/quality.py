"""/api/v1/quality: the data-quality score of each reporting unit the caller sees, with its four parts and
their reasons; the same choice and the same scoping as the page (/monitoring/quality/)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from jiqun.api.schemas import errors
from jiqun.monitoring.quality import PARTS
from jiqun.monitoring.quality_views import selection, units_for

router = Router(tags=["quality"])


class PartOut(Schema):
    value: str | None = Field(description="0–1；尚不能计分（如未到截止日期）为 null")
    reason: str


class QualityOut(Schema):
    unit: str = Field(description="cluster 集群报表 | region 区域综合表")
    key: str = Field(description="集群编号或区划代码")
    name: str
    score: str | None = Field(description="0–100，四项的平均；无可计分项为 null")
    parts: dict[str, PartOut] = Field(description="completeness 完整性、timeliness 及时性、explained 核实性说明、"
                                                  "corrections 审定后更正")
    reports: int = Field(description="计入的报表数")


class QualityFilter(Schema):
    programme: str | None = Field(None, max_length=40, description="培育工程代码（默认：最近报告期的工程）")
    year: str | None = Field(None, max_length=8, description="年份（默认：该工程最近的报告年度）")
    quarter: str | None = Field(None, max_length=2, description="1–4，只看该季度的报告期（默认全年）")


@router.get("/quality", response={200: list[QualityOut], **errors(400, 401, 422)},
            summary="数据质量：各填报单位的得分与四项说明（范围与页面相同）")
def list_quality(request: HttpRequest, filters: Query[QualityFilter]):
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    form, programme, year, quarter, problems = selection(data)
    if problems:
        raise ValidationError({name: [str(e) for e in errs] for name, errs in form.errors.items()})
    return [{
        "unit": u.kind, "key": str(u.key), "name": u.name,
        "score": str(u.quality.score) if u.quality.score is not None else None,
        "parts": {name: {"value": str(u.quality.parts[name].value) if u.quality.parts[name].value is not None
                         else None, "reason": u.quality.parts[name].reason} for name in PARTS},
        "reports": len(u.reports),
    } for u in units_for(request.user, programme, year, quarter)]
