"""The pipeline page: projects by stage per cluster and per region (stacked bars), investment and its
completion rate, the ~20-projects rule per cluster and the project-count targets; its data as Excel."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiqun.accounts.scoping import visible_prefix
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.projects.excel import pipeline_workbook
from jiqun.projects.models import Project
from jiqun.projects.pipeline import (
    PIPELINE_STAGES,
    RULE_OF_TWENTY,
    chart_data,
    pipeline,
    project_target_rows,
    rule_of_twenty,
)


def _year(request: HttpRequest) -> tuple[int, str]:
    """The year asked for (this year by default), and a message when the parameter is not a year."""
    raw = request.GET.get("year", "")
    today = timezone.localdate().year
    if not raw:
        return today, ""
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw), ""
    return today, _("“%(value)s”不是 2000 至 2100 之间的年份，已显示%(year)s年") % {"value": raw[:20], "year": today}


def _pipeline(request: HttpRequest, year: int):
    projects = Project.objects.for_user(request.user).select_related("region").prefetch_related("clusters")
    prefix = visible_prefix(request.user)
    level = "city" if prefix is not None and len(prefix) <= 2 else "county"
    return pipeline(projects, year=year, region_level=level)


@login_required
@require_GET
def pipeline_page(request: HttpRequest) -> HttpResponse:
    year, problem = _year(request)
    pipe = _pipeline(request, year)
    counts = project_target_rows(request.user, timezone.localdate())
    return render(request, "projects/pipeline.html", {
        "pipe": pipe, "year": year, "problem": problem, "stages": PIPELINE_STAGES, "counts": counts,
        "twenty": rule_of_twenty(pipe.by_cluster), "rule": RULE_OF_TWENTY,
        "cluster_chart": json.dumps(chart_data(pipe.by_cluster), ensure_ascii=False),
        "region_chart": json.dumps(chart_data(pipe.by_region), ensure_ascii=False),
        "cluster_height": 80 + 32 * len(pipe.by_cluster), "region_height": 80 + 32 * len(pipe.by_region),
    })


@login_required
@require_GET
def pipeline_export(request: HttpRequest) -> HttpResponse:
    year, _problem = _year(request)
    pipe = _pipeline(request, year)
    counts = project_target_rows(request.user, timezone.localdate())
    content = pipeline_workbook(pipe, counts, title=_("项目推进情况"))
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="projects.project",
                 object_repr=_("项目推进图表数据 %(year)s年") % {"year": year})
    return xlsx_response(content, f"{_('项目推进情况')}-{year}.xlsx")
