"""The data-quality page: each reporting unit's score and its four parts, per period or per year, and its Excel."""

import io

import xlsxwriter
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.core.forms import TextRuleMixin
from jiqun.monitoring.excel import WORKBOOK_OPTIONS, safe_text
from jiqun.monitoring.models import QUARTER_MONTHS, ReportingPeriod, period_name
from jiqun.monitoring.quality import CORRECTION_PENALTY, PARTS, part_labels, percent
from jiqun.monitoring.quality_selectors import UnitQuality, units_quality, year_reports
from jiqun.programmes.models import Programme


class QualityFilterForm(TextRuleMixin, forms.Form):
    programme = forms.ModelChoiceField(
        Programme.objects.filter(periods__isnull=False).distinct(), label=gettext_lazy("培育工程"), to_field_name="code",
        required=False, error_messages={"invalid_choice": gettext_lazy("没有代码为“%(value)s”且已开设报告期的培育工程")})
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(label=gettext_lazy("报告期"), coerce=int, required=False, empty_value=None,
                                     choices=[("", gettext_lazy("全年")), *QUARTER_MONTHS.items()])


def parameter_problems(form: forms.Form) -> list[str]:
    """Each invalid parameter named as it appears in the URL and by its label, with what is wrong."""
    return [_("参数 %(name)s（%(label)s）：%(error)s") % {
        "name": name, "label": form.fields[name].label if name in form.fields else name, "error": error}
        for name, errors in form.errors.items() for error in errors]


def selection(data) -> tuple[QualityFilterForm, Programme | None, int | None, int | None, list[str]]:
    """The form and what it chose: a programme, a year and perhaps a quarter (defaults: the latest period),
    and the problems of invalid parameters (then nothing is chosen: no silent fallback to the defaults)."""
    form = QualityFilterForm(data or None)
    if form.is_bound and not form.is_valid():
        return form, None, None, None, parameter_problems(form)
    data = form.cleaned_data if form.is_bound else {}
    latest = ReportingPeriod.objects.select_related("programme").order_by("-year", "-quarter", "programme_id")
    programme = data.get("programme")
    if programme is None:
        first = latest.first()
        programme = first.programme if first else None
    if programme is not None:
        latest = latest.filter(programme=programme)
    year = data.get("year") or (latest.first().year if latest.first() else None)
    return form, programme, year, data.get("quarter"), []


def units_for(user, programme, year, quarter) -> list[UnitQuality]:
    if programme is None or year is None:
        return []
    reports = year_reports(programme, year, user)
    if quarter:
        reports = reports.filter(period__quarter=quarter)
    return units_quality(reports)


def _title(programme, year, quarter) -> str:
    if programme is None:
        return _("数据质量")
    span = period_name(year, quarter) if quarter else _("%(year)s年全年") % {"year": year}
    return _("%(programme)s %(span)s 数据质量") % {"programme": programme.name, "span": span}


@login_required
def quality_page(request: HttpRequest) -> HttpResponse:
    """Each reporting unit the user sees, worst first: its score, its four parts and the reasons."""
    form, programme, year, quarter, problems = selection(request.GET)
    labels = part_labels()
    units = [(unit, [percent(unit.quality.parts[name].value) for name in PARTS])
             for unit in units_for(request.user, programme, year, quarter)]
    return render(request, "monitoring/quality.html", {
        "form": form, "title": _title(programme, year, quarter), "units": units,
        "parts": [labels[name] for name in PARTS], "penalty": percent(CORRECTION_PENALTY),
        "query": request.GET.urlencode(), "problems": problems,
    })


@login_required
def quality_export(request: HttpRequest) -> HttpResponse:
    """The same table as Excel: one row per unit and report, each part with its reason."""
    _form, programme, year, quarter, problems = selection(request.GET)
    if problems:  # the page says which parameter is wrong
        return redirect(f"{reverse('monitoring:quality')}?{request.GET.urlencode()}")
    units = units_for(request.user, programme, year, quarter)
    title = _title(programme, year, quarter)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=programme, object_type="programmes.programme",
                 object_repr=title, after={"units": len(units)})
    return xlsx_response(build_quality_workbook(title, units), f"{title}.xlsx")


def build_quality_workbook(title: str, units: list[UnitQuality]) -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, WORKBOOK_OPTIONS)
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    sheet = book.add_worksheet(_("数据质量"))
    sheet.write(0, 0, f"{title}（{timezone.localdate():%Y-%m-%d} 导出）")
    labels = part_labels()
    header = [_("填报单位"), _("报告期"), _("得分")]
    for name in PARTS:
        header += [labels[name], _("%(part)s说明") % {"part": labels[name]}]
    for c, label in enumerate(header):
        sheet.write(1, c, label, head)
    row = 2
    for unit in units:
        lines = [(_("合计"), unit.quality)] + [(str(report.period), q) for report, q in unit.reports]
        for span, quality in lines:
            cells = [safe_text(unit.name), span, float(quality.score) if quality.score is not None else "—"]
            for name in PARTS:
                part = quality.parts[name]
                cells += [percent(part.value), safe_text(part.reason)]
            sheet.write_row(row, 0, cells)
            row += 1
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 2, 12)
    sheet.set_column(3, 2 + 2 * len(PARTS), 18)
    book.close()
    return output.getvalue()
