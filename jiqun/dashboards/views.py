"""Dashboard pages shared by every overview: where a figure comes from."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiqun.core.text import whole_number
from jiqun.dashboards.models import FigureSummary, SubjectKind
from jiqun.dashboards.selectors import figure_address, subject_name
from jiqun.dashboards.summaries import summaries_ensure
from jiqun.monitoring.figures import ApprovedFigures
from jiqun.programmes.models import Programme


@login_required
@require_GET
def figure(request: HttpRequest, pk: int) -> HttpResponse:
    """A figure by its row: sent on to its lasting address (figure_at), which survives the rebuilds."""
    row = get_object_or_404(FigureSummary.objects.for_user(request.user).select_related("programme"), pk=pk)
    return redirect(figure_address(row))


@login_required
@require_GET
def figure_at(request: HttpRequest) -> HttpResponse:
    """One dashboard figure by what it is (programme, subject, indicator, period): its value, 上年同期 and 同比, and
    each report and revision behind it (or why not).

    The address names no stored row, so a link from a page drawn before an approval still opens the figure; the
    stored figures are brought up to date first, as every page reading them does."""
    wanted = request.GET
    programme = Programme.objects.filter(code=wanted.get("programme", "")[:40]).first()
    kind = wanted.get("kind", "")
    field = {"cluster": "cluster_id", "region": "region_id", "zone": "zone_id"}.get(kind)
    key, code = wanted.get("key", "")[:20], wanted.get("code", "")[:60]
    year, quarter = wanted.get("year", ""), wanted.get("quarter", "")
    if programme is None or field is None or whole_number(key) is None or len(year) != 4 \
            or whole_number(year) is None or quarter not in ("1", "2", "3", "4") or not code:
        raise Http404(_("没有这一数据：链接不完整或有误，请回到看板重新打开"))
    summaries_ensure(programme)
    row = get_object_or_404(
        FigureSummary.objects.for_user(request.user).select_related("programme", "cluster", "region", "zone"),
        programme=programme, kind=kind, code=code, year=int(year), quarter=int(quarter), **{field: int(key)})
    figures = ApprovedFigures(row.programme)
    subject = (figures.cluster(row.cluster_id) if row.kind == SubjectKind.CLUSTER
               else figures.region(row.region_id) if row.kind == SubjectKind.REGION else figures.zone(row.zone_id))
    indicator = figures.catalogue.get(row.code)
    parts = figures.parts(subject, row.code, row.year, row.quarter)
    derived = []
    if indicator is not None and indicator.kind in ("ratio", "difference"):
        for part in (indicator.numerator, indicator.denominator):
            found = FigureSummary.objects.for_user(request.user).filter(
                programme=row.programme, kind=row.kind, cluster_id=row.cluster_id, region_id=row.region_id,
                zone_id=row.zone_id, code=part.code, year=row.year, quarter=row.quarter).first()
            derived.append((part, found))
    return render(request, "dashboards/figure.html", {
        "row": row, "indicator": indicator, "subject": subject_name(row), "parts": parts, "derived": derived,
    })
