"""The comparison page: up to ten clusters or regions side by side (table, charts, workbook), and the user's
saved comparisons (save, open, delete)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.dashboards.charts import chart_download
from jiqun.dashboards.compare import comparison, indicator_choices, subject_choices, year_choices
from jiqun.dashboards.forms import CompareForm, SaveComparisonForm
from jiqun.dashboards.models import SavedComparison
from jiqun.dashboards.selectors import Summaries
from jiqun.dashboards.services import comparison_delete, comparison_save

FIELDS = ("programme", "kind", "subjects", "indicators", "years", "quarter")


def _page(query: QueryDict | dict | None = None) -> str:
    url = reverse("dashboards:compare")
    if not query:
        return url
    text = query.urlencode() if isinstance(query, QueryDict) else urlencode(query, doseq=True)
    return f"{url}?{text}"


def _errors(form) -> str:
    """The form's errors, each named by its field's label."""
    return "；".join(f"{form.fields[f].label}：{'；'.join(e)}" if f in form.fields else "；".join(e)
                    for f, e in form.errors.items())


def _service_errors(exc: ValidationError | PermissionDenied, form) -> str:
    if isinstance(exc, PermissionDenied) or not hasattr(exc, "error_dict"):
        return "；".join(getattr(exc, "messages", [str(exc)]))
    return "；".join(f"{form.fields[f].label}：{'；'.join(m)}" if f in form.fields else "；".join(m)
                    for f, m in exc.message_dict.items())


def _open(request: HttpRequest, pk: str) -> HttpResponse:
    """A saved comparison opened: the form filled with it; what the user can no longer see is dropped."""
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        raise Http404(_("没有这个保存的对比"))
    saved = get_object_or_404(SavedComparison.objects.for_user(request.user).select_related("programme"), pk=int(pk))
    summaries = Summaries(request.user, saved.programme)
    visible = {key for key, _name in subject_choices(request.user, summaries, saved.kind)}
    subjects = [s for s in saved.subjects if s in visible]
    codes = {code for code, _name in indicator_choices(summaries)}
    indicators = [c for c in saved.indicators if c in codes]
    years = [y for y in saved.years if y in set(year_choices(summaries))]
    if len(subjects) < len(saved.subjects):
        messages.warning(request, _("“%(name)s”中有 %(n)s 个对比对象您现在已无权查看或已不存在，已从对比中去掉") % {
            "name": saved.name, "n": len(saved.subjects) - len(subjects)})
    if len(indicators) < len(saved.indicators) or len(years) < len(saved.years):
        messages.warning(request, _("“%(name)s”中有指标或年份已没有数据，已从对比中去掉") % {"name": saved.name})
    query = {"programme": saved.programme.code, "kind": saved.kind, "subjects": subjects, "indicators": indicators,
             "years": years}
    if saved.quarter:
        query["quarter"] = saved.quarter
    return redirect(_page(query))


@login_required
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    if "saved" in request.GET:
        return _open(request, request.GET["saved"])
    form = CompareForm(request.GET or None, user=request.user)
    result = None
    export = request.GET.get("export")
    if form.is_bound and form.ready:
        data = form.cleaned_data
        result = comparison(request.user, summaries=form.summaries, kind=data["kind"], subjects=data["subjects"],
                            indicators=data["indicators"], years=data["years"], quarter=data["quarter"])
        download = chart_download(request, result.charts, subject=_("对比"))
        if download is not None:
            return download
        if export == "xlsx":
            audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="dashboards.comparison",
                         object_repr=_("%(title)s（%(n)s 个对象，%(m)s 个指标）") % {
                             "title": result.title, "n": len(result.subjects), "m": len(result.indicators)})
            return xlsx_response(result.as_xlsx(), f"{result.title}-{timezone.localdate():%Y%m%d}.xlsx")
    if export and export != "xlsx":
        messages.error(request, _("导出格式“%(value)s”无效，只能导出 xlsx") % {"value": export[:20]})
    elif (export or request.GET.get("chart")) and result is None:
        messages.error(request, _("请先选好对比对象和指标，再导出"))
    query = request.GET.copy()
    for key in ("chart", "export"):
        query.pop(key, None)
    return render(request, "dashboards/compare.html", {
        "form": form, "result": result, "query": query.urlencode(), "fields": FIELDS,
        "saved": SavedComparison.objects.for_user(request.user).select_related("programme"),
        "save_form": SaveComparisonForm(user=request.user) if result is not None else None,
        "hidden": [(key, value) for key in FIELDS for value in request.GET.getlist(key)] if result is not None else [],
    })


@login_required
@require_POST
def compare_save(request: HttpRequest) -> HttpResponse:
    form = SaveComparisonForm(request.POST, user=request.user)
    back = _page({key: request.POST.getlist(key) for key in FIELDS if key in request.POST})
    if not form.is_valid():
        messages.error(request, _("未保存：%(errors)s") % {"errors": _errors(form)})
        return redirect(back)
    data = form.cleaned_data
    try:
        saved = comparison_save(actor=request.user, name=data["name"], programme=data["programme"], kind=data["kind"],
                                subjects=data["subjects"], indicators=data["indicators"], years=data["years"],
                                quarter=data["quarter"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _("未保存：%(errors)s") % {"errors": _service_errors(exc, form)})
        return redirect(back)
    messages.success(request, _("已保存对比“%(name)s”") % {"name": saved.name})
    return redirect(back)


@login_required
@require_POST
def compare_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedComparison.objects.for_user(request.user), pk=pk)
    try:
        comparison_delete(actor=request.user, comparison=saved)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("已删除对比“%(name)s”") % {"name": saved.name})
    return redirect("dashboards:compare")
