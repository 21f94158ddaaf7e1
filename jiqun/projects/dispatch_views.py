"""Pages of the quarterly project dispatch: the periods, a period's status matrix by region, one dispatch (filing and
approval), the 催报 list and 序时进度 of yearly investment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.monitoring.excel import build_reminder_list
from jiqun.monitoring.models import PeriodStatus, ReportingPeriod, ReportStatus
from jiqun.projects.dispatch_forms import CONSTRAINT_KINDS, DispatchForm, DispatchUploadForm
from jiqun.projects.dispatch_permissions import (
    can_approve_dispatch_city,
    can_fill_dispatch,
    can_open_dispatches,
    can_return_dispatch,
    can_review_province,
    has_filled_dispatch,
)
from jiqun.projects.dispatch_selectors import (
    completed_investment,
    dispatch_matrix,
    dispatch_reminder_line,
    group_pace,
    investment_pace,
    period_pace,
)
from jiqun.projects.dispatch_services import (
    dispatch_approve_city,
    dispatch_approve_for_city,
    dispatch_approve_province,
    dispatch_findings,
    dispatch_period_open,
    dispatch_return,
    dispatch_save,
    dispatch_submit,
    previous_dispatch,
)
from jiqun.projects.models import Dispatch, YearPlan

S = ReportStatus


@login_required
def dispatch_index(request: HttpRequest) -> HttpResponse:
    """The periods with dispatches the user sees, each with its counts."""
    visible = Dispatch.objects.for_user(request.user)
    periods = (ReportingPeriod.objects.select_related("programme")
               .annotate(total=Count("dispatches", filter=Q(dispatches__in=visible)),
                         waiting=Count("dispatches", filter=Q(dispatches__in=visible.filter(
                             status__in=[S.DRAFT, S.RETURNED])))))
    return render(request, "projects/dispatch_index.html", {"periods": periods,
                                                            "can_open": can_open_dispatches(request.user)})


@login_required
def dispatch_period(request: HttpRequest, pk: int) -> HttpResponse:
    """A period's dispatches: counts by status and by city, the list, and (province) opening the missing ones."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=pk)
    if request.method == "POST":
        if request.user.is_read_only:
            raise PermissionDenied(_("只读角色不能生成项目调度"))
        try:
            created = dispatch_period_open(actor=request.user, period=period)
            messages.success(request, _("已生成项目调度 %(n)d 份") % {"n": created})
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", [str(exc)]):
                messages.error(request, message)
        return redirect("dispatch:period", pk=pk)
    dispatches = Dispatch.objects.for_user(request.user).filter(period=period)
    status = request.GET.get("status", "")
    if status in S.values:
        dispatches = dispatches.filter(status=status)
    rows, counts, cities = dispatch_matrix(period, dispatches)
    if request.GET.get("overdue"):
        rows = [row for row in rows if row.overdue]
    return render(request, "projects/dispatch_period.html", {
        "period": period, "rows": rows, "counts": counts, "cities": cities, "statuses": S.choices, "status": status,
        "can_open": can_open_dispatches(request.user) and period.status == PeriodStatus.OPEN,
    })


@login_required
def dispatch_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    """催报名单 as Excel: the visible dispatches not yet submitted."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=pk)
    dispatches = Dispatch.objects.for_user(request.user).filter(period=period, status__in=[S.DRAFT, S.RETURNED])
    rows, _counts, _cities = dispatch_matrix(period, dispatches)
    title = _("%(label)s 项目调度") % {"label": period.label}
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=period, object_repr=f"项目调度催报名单 {period.official_label}")
    return xlsx_response(build_reminder_list(period, rows, line=dispatch_reminder_line, title=title),
                         f"项目调度催报名单-{period.official_name}.xlsx")


def _act(request: HttpRequest, dispatch: Dispatch, form: DispatchForm) -> bool:
    """Carry out the posted action; False (with messages) when it was refused."""
    action = request.POST.get("action", "save")
    try:
        if action in ("save", "submit"):
            if not form.is_valid():
                raise ValidationError(_("有填写错误，未保存"))
            dispatch_save(actor=request.user, dispatch=dispatch, **form.save_arguments())
            if action == "submit":
                dispatch_submit(actor=request.user, dispatch=dispatch)
                messages.success(request, _("已提交"))
            else:
                messages.success(request, _("已保存"))
        elif action == "approve":
            comment = request.POST.get("comment", "")
            if dispatch.status == S.SUBMITTED:
                dispatch_approve_city(actor=request.user, dispatch=dispatch, comment=comment)
            else:
                dispatch_approve_province(actor=request.user, dispatch=dispatch, comment=comment)
            messages.success(request, _("已审核通过"))
        elif action == "approve_for_city":
            dispatch_approve_for_city(actor=request.user, dispatch=dispatch, reason=request.POST.get("reason", ""))
            messages.success(request, _("已代市级审核，该操作已单独记录"))
        elif action == "return":
            dispatch_return(actor=request.user, dispatch=dispatch, reason=request.POST.get("reason", ""))
            messages.success(request, _("已退回"))
        else:
            raise ValidationError(_("未知的操作“%(action)s”") % {"action": action[:40]})
        return True
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return False


@login_required
def dispatch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispatch = get_object_or_404(
        Dispatch.objects.for_user(request.user).select_related("period__programme", "project__region"), pk=pk)
    if request.method == "POST" and request.user.is_read_only:
        raise PermissionDenied(_("只读角色不能填报或审核项目调度"))
    if request.method == "POST":
        form = DispatchForm(request.POST, dispatch=dispatch)
        if _act(request, dispatch, form):
            return redirect("dispatch:detail", pk=pk)
        dispatch.refresh_from_db()
    else:
        form = DispatchForm(dispatch=dispatch, initial={
            "version": dispatch.version, "completed_ytd": dispatch.completed_ytd, "progress": dispatch.progress,
            "stage_to": dispatch.stage_to, "stage_on": dispatch.stage_on, "stage_evidence": dispatch.stage_evidence})
    period, project = dispatch.period, dispatch.project
    plan = YearPlan.objects.filter(project=project, year=period.year).values_list("planned", flat=True).first()
    before = previous_dispatch(dispatch)
    user = request.user
    return render(request, "projects/dispatch_detail.html", {
        "dispatch": dispatch, "period": period, "project": project, "form": form, "kinds": CONSTRAINT_KINDS,
        "findings": dispatch_findings(dispatch, complete=True) if dispatch.editable else [],
        "plan": plan, "previous": before,
        "pace": investment_pace(plan, dispatch.completed_ytd, period.year, period.quarter),
        "approved": completed_investment(project, period.year),
        "can_fill": can_fill_dispatch(user, dispatch),
        "can_approve": (dispatch.status == S.SUBMITTED and can_approve_dispatch_city(user, dispatch))
        or (dispatch.status == S.CITY_APPROVED and can_review_province(user, dispatch)),
        "can_approve_for_city": dispatch.status == S.SUBMITTED and can_review_province(user, dispatch),
        "can_return": dispatch.status in (S.SUBMITTED, S.CITY_APPROVED) and can_return_dispatch(user, dispatch),
        "filled_by_you": has_filled_dispatch(user, dispatch),
        "events": dispatch.events.all(),
    })


@login_required
def dispatch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """序时进度 of yearly investment: each visible project, and by city and by cluster."""
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=pk)
    rows = period_pace(period, Dispatch.objects.for_user(request.user).filter(period=period)
                       .prefetch_related("project__clusters"))
    return render(request, "projects/dispatch_progress.html", {
        "period": period, "rows": rows, "cities": group_pace(period, rows, by="city"),
        "clusters": group_pace(period, rows, by="cluster"),
        "elapsed": rows[0].pace.elapsed if rows else None,
    })


@login_required
def dispatch_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The 项目调度 workbook of the dispatches the user files in this period."""
    from jiqun.projects.dispatch_excel import build_dispatch_template

    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=pk)
    content = build_dispatch_template(user=request.user, period=period)
    if content is None:
        messages.error(request, _("本报告期没有您可以填报的项目调度（都已提交，或不在您的范围内）"))
        return redirect("dispatch:period", pk=pk)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=period, object_repr=f"项目调度模板 {period.official_label}")
    return xlsx_response(content, f"项目调度-{period.official_name}.xlsx")


@login_required
def dispatch_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Import a filled 项目调度 workbook, all or nothing; a refused one comes back with its bad cells marked."""
    import uuid

    from jiqun.monitoring.excel import annotate_workbook
    from jiqun.monitoring.views import _result_dir
    from jiqun.projects.dispatch_excel import DATA_SHEET, DispatchImporter

    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=pk)
    if not any(can_fill_dispatch(request.user, d) for d in
               Dispatch.objects.for_user(request.user).filter(period=period).select_related("project")):
        raise Http404  # nothing of this period to file, so no importer
    form = DispatchUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return render(request, "projects/dispatch_upload.html", {"period": period, "form": form, "result": None})
    upload = form.cleaned_data["file"]
    result = DispatchImporter(user=request.user, content=upload.read(), file_name=upload.name, period=period).run()
    annotated = None
    if result.problems and DATA_SHEET in result.sheets:
        annotated = uuid.uuid4().hex
        errors = [(p.sheet, p.row, p.col, p.reason) for p in result.problems]
        (_result_dir(request.user) / f"{annotated}.xlsx").write_bytes(annotate_workbook(result.sheets, errors))
    return render(request, "projects/dispatch_upload.html", {
        "period": period, "form": DispatchUploadForm(), "result": result, "annotated": annotated,
        "file_name": upload.name})
