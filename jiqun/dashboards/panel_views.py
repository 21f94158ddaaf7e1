"""The overview's panels on a page of their own (`dashboards:panels`): testable, and each chart downloadable."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jiqun.accounts.scoping import region_row_q, sees_region_totals, visible_prefix
from jiqun.core.forms import TextRuleMixin
from jiqun.dashboards.charts import chart_download
from jiqun.dashboards.panels import default_programme, overview_panels
from jiqun.monitoring.models import QUARTER_MONTHS
from jiqun.monitoring.quality_views import parameter_problems
from jiqun.programmes.models import Programme
from jiqun.regions.models import Region


class PanelsForm(TextRuleMixin, forms.Form):
    """The page's URL parameters; every one may be left out (the user's region, its newest period)."""

    region = forms.ModelChoiceField(Region.objects.all(), label=gettext_lazy("区划"), required=False,
                                    error_messages={"invalid_choice": gettext_lazy("没有代码为“%(value)s”的区划")})
    programme = forms.ModelChoiceField(Programme.objects.all(), label=gettext_lazy("培育工程"), to_field_name="code",
                                       required=False,
                                       error_messages={"invalid_choice": gettext_lazy("没有代码为“%(value)s”的培育工程")})
    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100, required=False)
    quarter = forms.TypedChoiceField(label=gettext_lazy("报告期"), coerce=int, required=False, empty_value=None,
                                     choices=[("", gettext_lazy("最新")), *QUARTER_MONTHS.items()])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # only the regions the user sees are offered (another one, typed in, is a 404 below)
            visible = Region.objects.filter(region_row_q(user)).order_by("code")
            self.fields["region"].widget.choices = [("", "---------"), *((r.code, str(r)) for r in visible)]

    def clean(self):
        data = super().clean()
        if data.get("quarter") and not data.get("year"):
            self.add_error("quarter", _("选择报告期时须同时给出年份（参数 year）"))
        return data


@login_required
@require_GET
def panels(request: HttpRequest) -> HttpResponse:
    """The panels of a region the user sees the totals of (its own by default); ?chart=<key> gives one as Excel."""
    form = PanelsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return render(request, "dashboards/panels.html", {"form": form, "problems": parameter_problems(form)},
                      status=400)
    data = form.cleaned_data if form.is_bound else {}
    region = data.get("region")
    if region is None and visible_prefix(request.user) is not None:
        region = Region.objects.filter(pk=request.user.region_id).first()
    if region is None or not sees_region_totals(request.user, region.code):
        raise Http404(_("未找到：区划不存在或不在您的范围内"))
    programme = data.get("programme") or default_programme(request.user, region.code)
    charts = overview_panels(request.user, programme=programme, region_code=region.code, year=data.get("year"),
                             quarter=data.get("quarter"))
    download = chart_download(request, charts, subject=_("%(region)s工作进展") % {"region": region.name})
    if download is not None:
        return download
    query = request.GET.copy()
    query.pop("chart", None)
    return render(request, "dashboards/panels.html", {
        "form": form if form.is_bound else PanelsForm(initial={"region": region.code,
                                                               "programme": programme.code if programme else None},
                                                      user=request.user),
        "region": region,
        "programme": programme, "charts": charts, "query": query.urlencode(),
    })
