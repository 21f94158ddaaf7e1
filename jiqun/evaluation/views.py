"""Pages: schemes, runs with their ranking, and "why this score" per cluster, each chart's data as Excel.

Chart data travels in a data-values attribute (JSON): the CSP gate allows no inline <script>, not even JSON.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.evaluation.compute import subject_key
from jiqun.evaluation.excel import build_explanation_workbook, build_run_workbook
from jiqun.evaluation.forms import RunForm
from jiqun.evaluation.models import RunRow, RunStatus
from jiqun.evaluation.permissions import can_publish_evaluation, can_run_evaluation
from jiqun.evaluation.scheme_edit_views import scheme_edit_context
from jiqun.evaluation.selectors import (
    bonus_rule_text,
    consequences_for,
    explanation,
    project_rule_text,
    radar_chart,
    ranking_chart,
    rows_for,
    run_for,
    run_reproduce,
    runs_for,
    schemes_for,
    subject_noun,
)
from jiqun.evaluation.services import evaluation_run_create, evaluation_run_publish


@login_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/schemes.html", {"schemes": schemes_for(request.user)})


@login_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_object_or_404(schemes_for(request.user), pk=pk)
    return render(request, "evaluation/scheme.html", {
        "scheme": scheme, "items": scheme.items.select_related("indicator").order_by("order"),
        "project_rule": project_rule_text(scheme.projects) if scheme.subject_kind == "project" else "",
        "bonus_items": [{**b, "rule": bonus_rule_text(b.get("projects"))} for b in (scheme.bonus or {}).get("items", [])],
        "runs": runs_for(request.user).filter(scheme=scheme), **scheme_edit_context(request.user, scheme)})


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    may_run = can_run_evaluation(request.user)
    form = RunForm(request.POST if request.method == "POST" else None, schemes=schemes_for(request.user))
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied(_("只有省级管理员可以开展评价"))
        if form.is_valid():
            try:
                run = evaluation_run_create(actor=request.user, scheme=form.cleaned_data["scheme"],
                                            year=form.cleaned_data["year"])
            except ValidationError as exc:
                for field, errors in (exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}).items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(request, _("已完成评价计算（未发布）；核对后可发布"))
                return redirect("evaluation:run", pk=run.pk)
    return render(request, "evaluation/runs.html", {"runs": runs_for(request.user), "form": form if may_run else None})


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    rows = rows_for(request.user, run)
    chart = ranking_chart(rows)
    visible = {r.subject_key: r.subject_name for r in rows}
    names = {c["code"]: c["name"] for c in run.snapshot["criteria"]}
    filled = [{"cluster": visible[subject_key(f)], "indicator": names.get(f["indicator"], f["indicator"]), "how": f["how"]}
              for f in run.result["filled"] if subject_key(f) in visible]
    check = run_reproduce(run) if request.GET.get("check") == "1" else None
    return render(request, "evaluation/run.html", {
        "filled": filled, "check": check, "consequences": consequences_for(request.user, run, rows),
        "run": run, "rows": rows, "chart_json": json.dumps(chart, ensure_ascii=False),
        "chart_height": max(240, 28 * len(chart["names"]) + 60), "excluded": [r for r in rows if r.excluded],
        "may_publish": can_publish_evaluation(request.user) and run.status == RunStatus.DRAFT,
        "region_run": run.scheme.subject_kind == "region", "has_bonus": bool(run.result.get("bonus")),
        "project_run": run.scheme.subject_kind == "project", "noun": subject_noun(run),
        "project_rule": project_rule_text(run.snapshot.get("projects")) if run.scheme.subject_kind == "project" else "",
        "total": run.rows.count()})


@login_required
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    if not can_publish_evaluation(request.user):
        raise PermissionDenied(_("只有省级管理员可以发布评价结果"))
    try:
        evaluation_run_publish(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("评价结果已发布，评价方案第%(v)s版已锁定；发布后果见本页") % {"v": run.scheme.version})
    return redirect("evaluation:run", pk=run.pk)


def _chosen_row(request: HttpRequest, rows: list[RunRow]) -> RunRow | None:
    """The row named by ?cluster= (or ?region= in a region run), or the best visible one; a subject the user
    does not see is a 404."""
    wanted = request.GET.get("cluster", "")
    region = request.GET.get("region", "")
    project = request.GET.get("project", "")
    if not wanted and not region and not project:
        return next((r for r in rows if r.position is not None), rows[0] if rows else None)
    if project:
        if not (project.isascii() and project.isdigit() and len(project) <= 18):
            raise Http404
        row = next((r for r in rows if r.project_id == int(project)), None)
        if row is None:
            raise Http404
        return row
    if region:
        row = next((r for r in rows if r.region_id and r.region_id == region), None)
        if row is None:
            raise Http404
        return row
    if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 18):
        raise Http404
    row = next((r for r in rows if r.cluster_id == int(wanted)), None)
    if row is None:
        raise Http404
    return row


@login_required
def run_explain(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    rows = rows_for(request.user, run)
    row = _chosen_row(request, rows)
    explained = explanation(run, row) if row is not None else None
    return render(request, "evaluation/explain.html", {
        "run": run, "rows": rows, "row": row, "explained": explained, "basis": explained.basis if explained else "",
        "radar_json": json.dumps(radar_chart(explained), ensure_ascii=False) if explained and explained.dimensions else ""})


@login_required
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    rows = rows_for(request.user, run)
    content = build_run_workbook(run, rows)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=run, object_repr=f"{run}（{len(rows)} 行）")
    return xlsx_response(content, f"评价结果-{run.scheme.code}-{run.year}-{run.pk}.xlsx")


@login_required
def explain_export(request: HttpRequest, pk: int) -> HttpResponse:
    run = run_for(request.user, pk)
    row = _chosen_row(request, rows_for(request.user, run))
    if row is None:
        raise Http404
    content = build_explanation_workbook(explanation(run, row))
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=run, object_repr=f"{run} 得分说明 {row.subject_name}")
    return xlsx_response(content, f"得分说明-{row.subject_name}-{run.year}-{run.pk}.xlsx")
