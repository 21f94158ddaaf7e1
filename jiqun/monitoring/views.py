"""Pages for quarterly monitoring: periods, the status matrix, filling, Excel in and out, review, roll-up."""

import uuid
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiqun.accounts.permissions import can_manage_programmes
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import XLSX, xlsx_response
from jiqun.core.stale import version_missing
from jiqun.monitoring.excel import DATA_SHEET, build_reminder_list, build_template
from jiqun.monitoring.forms import IndicatorForm, PeriodOpenForm, ReturnForm, UploadForm
from jiqun.monitoring.importer import ReportImporter
from jiqun.monitoring.models import CorrectionStatus, Report, ReportingPeriod, ReportStatus
from jiqun.monitoring.permissions import (
    can_approve_city,
    can_fill_period,
    can_fill_report,
    can_open_period,
    can_request_correction,
    can_return,
    can_review_province,
    has_filled_report,
)
from jiqun.monitoring.selectors import (
    change_text,
    cluster_from_enterprises,
    region_rollup,
    report_figures,
    report_indicators,
    rollup_indicators,
    status_matrix,
    template_rows,
)
from jiqun.monitoring.services import (
    correction_decide,
    correction_request_create,
    period_open,
    report_approve_city,
    report_approve_for_city,
    report_approve_province,
    report_findings,
    report_return,
    report_submit,
    report_values_save,
)
from jiqun.monitoring.values import revision_changes, values_of
from jiqun.programmes.models import Indicator, Programme
from jiqun.regions.models import PROVINCE_CODE, Region, is_within

FINDINGS_SHOWN = 50  # an upload of more reports than this lists no per-report findings




def _chosen_programme(value: str | None) -> Programme | None:
    """The programme a period is being opened for, from the page's choice step or the posted form."""
    return Programme.objects.filter(pk=value).first() if value and value.isascii() and value.isdigit() else None


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    """The periods; for the province, the open form: choose a programme, then its indicator set and dates."""
    form = None
    if can_open_period(request.user):
        chosen = _chosen_programme(request.POST.get("programme") or request.GET.get("programme"))
        form = PeriodOpenForm(request.POST or None, programme=chosen)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                period = period_open(actor=request.user, **form.open_arguments())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已开启报告期，生成报表 %(n)d 份，填报指标 %(k)d 项")
                                 % {"n": period.reports.count(), "k": period.indicators.count()})
                return redirect("monitoring:period", pk=period.pk)
    periods = ReportingPeriod.objects.select_related("programme")
    return render(request, "monitoring/periods.html", {
        "periods": periods, "form": form, "programmes": Programme.objects.all() if form else [],
    })


@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=pk)
    reports = Report.objects.for_user(request.user).filter(period=period)
    status = request.GET.get("status", "")
    if status in ReportStatus.values:
        reports = reports.filter(status=status)
    rows, counts = status_matrix(period, reports)
    if request.GET.get("overdue"):
        rows = [row for row in rows if row.overdue]
    return render(request, "monitoring/period.html", {
        "period": period, "rows": rows, "counts": counts, "statuses": ReportStatus.choices, "status": status,
        "upload_form": UploadForm(), "can_upload": can_fill_period(request.user, period),
    })


@login_required
def period_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    """催报名单 as Excel: the visible reports not yet submitted."""
    period = get_object_or_404(ReportingPeriod, pk=pk)
    reports = Report.objects.for_user(request.user).filter(period=period,
                                                           status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
    rows, _counts = status_matrix(period, reports.with_last_change())
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=period, object_repr=f"催报名单 {period.official_label}")
    return xlsx_response(build_reminder_list(period, rows), f"催报名单-{period.official_name}.xlsx")


@login_required
def period_template(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=pk)
    rows = template_rows(request.user, period)
    if not rows:
        messages.error(request, _("本报告期没有您可以填报的报表（都已提交，或不在您的范围内）"))
        return redirect("monitoring:period", pk=pk)
    indicators = list(period.indicators.order_by("code"))
    content = build_template(period=period, indicators=indicators, rows=rows,
                             unit_name=request.user.organisation or request.user.get_full_name() or request.user.username)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=period, object_repr=f"统计季报模板 {period.official_label}")
    return xlsx_response(content, f"统计季报-{period.official_name}.xlsx")


def _result_dir(user) -> Path:
    path = Path(settings.MEDIA_ROOT) / "import-results" / str(user.pk)
    path.mkdir(parents=True, exist_ok=True)
    return path


@login_required
def period_upload(request: HttpRequest, pk: int) -> HttpResponse:
    period = get_object_or_404(ReportingPeriod, pk=pk)
    if not can_fill_period(request.user, period):
        raise Http404  # a leader, an expert, an administrator: nothing of this period to fill, so no importer
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "monitoring/upload_result.html", {"period": period, "form": form, "result": None})
    upload = form.cleaned_data["file"]  # the form refused one over JIQUN_UPLOAD_MAX_BYTES before reading it
    content = upload.read()
    result = ReportImporter(user=request.user, content=content, file_name=upload.name, period=period).run()
    annotated = None
    if result.problems and DATA_SHEET in result.sheets:  # a file refused before its data sheet was read has no cells to mark
        from jiqun.monitoring.excel import annotate_workbook

        token = uuid.uuid4().hex
        errors = [(p.sheet, p.row, p.col, p.reason) for p in result.problems]
        (_result_dir(request.user) / f"{token}.xlsx").write_bytes(annotate_workbook(result.sheets, errors))
        annotated = token
    # The checks of each imported report, shown at once for a cluster-sized file; an enterprise-level file of
    # thousands of rows is summarised and each report shows its own findings on its page.
    findings = ([(report, report_findings(report)[0]) for report in result.reports]
                if len(result.report_ids) <= FINDINGS_SHOWN else None)
    return render(request, "monitoring/upload_result.html", {
        "period": period, "form": UploadForm(), "result": result, "annotated": annotated, "findings": findings,
        "file_name": upload.name,
    })


@login_required
def upload_annotated(request: HttpRequest, token: str) -> HttpResponse:
    """The user's own refused workbook with the bad cells marked; only its uploader can fetch it."""
    if not token.isalnum():
        raise Http404
    path = _result_dir(request.user) / f"{token}.xlsx"
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="审核结果.xlsx", content_type=XLSX)


def _parse_form_values(request: HttpRequest, indicators, prefix: str = "") -> tuple[dict[str, dict], dict[str, str]]:
    values, errors = {}, {}
    for indicator in indicators:
        entry = {"note": request.POST.get(f"{prefix}{indicator.code}-note", "")}
        for field_name in ("current", "previous"):
            raw = request.POST.get(f"{prefix}{indicator.code}-{field_name}", "").strip().replace(",", "")
            if raw == "":
                entry[field_name] = None
                continue
            try:
                entry[field_name] = Decimal(raw)
                if not entry[field_name].is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors[f"{indicator.code}-{field_name}"] = _("“%(v)s”不是数字") % {"v": raw}
        values[indicator.code] = entry
    return values, errors


def _base_revision(request: HttpRequest) -> int:
    """The revision the submitted form was based on (its hidden field); a form without one saves nothing."""
    raw = request.POST.get("base_revision", "").strip()
    if not raw.isdigit():
        raise version_missing(kind=_("报表"))
    return int(raw)


def _correction_changes(request: HttpRequest, report: Report, indicators) -> dict[str, dict]:
    """The figures a correction form changes: blank or the same as now means unchanged; a non-number is refused."""
    values, errors = _parse_form_values(request, indicators, prefix="corr-")
    if errors:
        names = {i.code: i.name for i in indicators}
        raise ValidationError([f"{names[key.split('-')[0]]}：{message}" for key, message in errors.items()])
    current = values_of(report.figures)
    return {code: {field: entry[field] for field in ("current", "previous")
                   if entry[field] != getattr(current.get(code), field, None)}
            for code, entry in values.items()}


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_object_or_404(
        Report.objects.for_user(request.user).select_related("period__programme", "cluster", "enterprise", "region"),
        pk=pk)
    indicators = list(report_indicators(report))
    form_errors: dict[str, str] = {}
    if request.method == "POST" and request.user.is_read_only:  # a write on a report it sees: 403, not hidden
        raise PermissionDenied(_("只读角色不能填报或审核报表"))
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("save", "submit"):
                values, form_errors = _parse_form_values(request, indicators)
                if form_errors:
                    raise ValidationError(_("有数值格式错误，未保存"))
                report_values_save(actor=request.user, report=report, values=values,
                                   base_revision=_base_revision(request))
                if action == "submit":
                    report_submit(actor=request.user, report=report)
                    messages.success(request, _("已提交"))
                else:
                    messages.success(request, _("已保存"))
            elif action == "approve":
                if report.status == ReportStatus.SUBMITTED:
                    report_approve_city(actor=request.user, report=report, comment=request.POST.get("comment", ""))
                else:
                    report_approve_province(actor=request.user, report=report, comment=request.POST.get("comment", ""))
                messages.success(request, _("已审核通过"))
            elif action == "approve_for_city":
                report_approve_for_city(actor=request.user, report=report, reason=request.POST.get("reason", ""))
                messages.success(request, _("已代市级审核，该操作已单独记录"))
            elif action == "return":
                report_return(actor=request.user, report=report, reason=request.POST.get("reason", ""))
                messages.success(request, _("已退回"))
            elif action == "correct":
                changes = _correction_changes(request, report, indicators)
                correction_request_create(actor=request.user, report=report, changes=changes,
                                          reason=request.POST.get("reason", ""))
                messages.success(request, _("更正申请已提交，待省级审批"))
            elif action in ("correction_approve", "correction_reject"):
                correction = get_object_or_404(report.corrections, pk=request.POST.get("correction") or 0)
                correction_decide(actor=request.user, correction=correction, approve=action == "correction_approve",
                                  comment=request.POST.get("comment", ""))
                messages.success(request, _("更正申请已处理"))
            return redirect("monitoring:report", pk=pk)
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        report.refresh_from_db()
    findings, _notes = report_findings(report)
    figures = report_figures(report)
    members = None
    if report.cluster_id and report.period.enterprise_level:
        members = cluster_from_enterprises(report.period, report.cluster)
    by_code = values_of(report.figures)
    revisions = list(report.revisions.select_related("batch").order_by("-number"))
    sources = {revision.number: revision for revision in revisions}
    changes = revision_changes(revisions)
    names = {i.code: i.name for i in indicators}
    lines = []
    for indicator in indicators:
        value = by_code.get(indicator.code)
        figure = figures.get(indicator.code)
        lines.append({
            "indicator": indicator, "value": value, "source": sources.get(value.revision) if value else None,
            "current": request.POST.get(f"{indicator.code}-current") if form_errors else _plain(value, "current"),
            "previous": request.POST.get(f"{indicator.code}-previous") if form_errors else _plain(value, "previous"),
            "note": getattr(value, "note", ""),
            "yoy": change_text(indicator, figure),
            "quarter_only": figure.quarter_only if figure else None,
            "members": members.totals.get(indicator.code) if members else None,
            "findings": [f for f in findings if f.indicator == indicator.code],
            "errors": {k.split("-")[1]: v for k, v in form_errors.items() if k.startswith(indicator.code + "-")},
        })
    return render(request, "monitoring/report.html", {
        "report": report, "lines": lines, "findings": findings, "province_report": report.region_id == PROVINCE_CODE,
        "can_fill": can_fill_report(request.user, report),
        "can_approve": (report.status == ReportStatus.SUBMITTED and can_approve_city(request.user, report))
        or (report.status == ReportStatus.CITY_APPROVED and can_review_province(request.user, report)),
        "can_approve_for_city": report.status == ReportStatus.SUBMITTED and can_review_province(request.user, report),
        "can_return": report.status in (ReportStatus.SUBMITTED, ReportStatus.CITY_APPROVED)
        and can_return(request.user, report),
        "filled_by_you": settings.JIQUN_SEPARATE_FILL_AND_APPROVE and has_filled_report(request.user, report),
        "events": report.events.all(), "return_form": ReturnForm(),
        "revisions": [{"revision": r, "changes": [(names.get(c.code, c.code), c.before, c.after)
                                                  for c in changes[r.number]]} for r in revisions],
        "corrections": _corrections_shown(report, indicators, by_code), "members": members,
        "can_correct": can_request_correction(request.user, report),
        "can_decide": can_review_province(request.user, report),
    })


def _plain(value, field: str) -> str | None:
    """A stored figure as a person would type it: 5200000, not 5200000.0000."""
    number = getattr(value, field, None)
    return None if number is None else format(number.normalize(), "f")


def _corrections_shown(report: Report, indicators, current: dict) -> list[dict]:
    """Each correction with its changes as (indicator, field, old, new); old is today's value until applied."""
    names = {i.code: i for i in indicators}
    shown = []
    for correction in report.corrections.all():
        changes = []
        for code, fields in correction.changes.items():
            for field, new in fields.items():
                if field not in ("current", "previous"):
                    continue
                changes.append({"indicator": names.get(code, code), "field": _("本期累计") if field == "current"
                                else _("上年同期"), "old": getattr(current.get(code), field, None), "new": new})
        shown.append({"request": correction, "changes": changes,
                      "pending": correction.status == CorrectionStatus.PENDING})
    return shown


@login_required
def period_rollup(request: HttpRequest, pk: int) -> HttpResponse:
    """Approved figures by city and for the province, each indicator combined as the catalogue says."""
    period = get_object_or_404(ReportingPeriod, pk=pk)
    if request.user.role not in ("province_admin", "city_officer", "leader"):
        raise Http404
    if not request.user.region_id:
        raise Http404
    indicators = rollup_indicators(period)
    rollups = region_rollup(period, indicators=indicators)
    names = dict(Region.objects.filter(code__in=rollups.keys()).values_list("code", "name"))
    table = []
    for code, rollup in rollups.items():
        if not is_within(code, request.user.region_id):
            continue
        cells = []
        for indicator in indicators:
            figure = rollup.totals.get(indicator.code)
            cells.append({"figure": figure, "precision": indicator.precision,
                          "partial": figure is not None and figure.current is not None and not figure.complete,
                          "yoy": change_text(indicator, figure)})
        table.append({"name": names.get(code, code), "code": code, "reports": rollup.reports,
                      "expected": rollup.expected, "cells": cells, "warnings": rollup.warnings})
    return render(request, "monitoring/rollup.html", {"period": period, "indicators": indicators, "table": table})


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    return render(request, "monitoring/indicators.html", {
        "indicators": Indicator.objects.select_related("numerator", "denominator"),
        "can_edit": can_manage_programmes(request.user),
    })


@login_required
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator, pk=pk)
    if not can_manage_programmes(request.user):
        raise Http404
    form = IndicatorForm(request.POST or None, instance=Indicator.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        from jiqun.programmes.services import indicator_update

        indicator_update(actor=request.user, indicator=indicator, **form.cleaned_data)
        messages.success(request, _("已保存"))
        return redirect("monitoring:indicators")
    return render(request, "monitoring/indicator_form.html", {"form": form, "indicator": indicator})
