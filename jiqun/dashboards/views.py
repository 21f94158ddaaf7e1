"""Dashboard pages shared by every overview: where a figure comes from."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from jiqun.dashboards.models import FigureSummary, SubjectKind
from jiqun.dashboards.selectors import subject_name
from jiqun.dashboards.summaries import summaries_ensure
from jiqun.monitoring.figures import ApprovedFigures


@login_required
@require_GET
def figure(request: HttpRequest, pk: int) -> HttpResponse:
    """One dashboard figure: its value, 上年同期 and 同比, and each report and revision behind it (or why not).

    The stored figures are brought up to date first (as every page reading them does): a link from a page drawn
    before an approval names a row the rebuild replaced, and opens the row that replaced it (same subject,
    indicator and period); a row gone with its subject is 404."""
    visible = FigureSummary.objects.for_user(request.user).select_related("programme", "cluster", "region", "zone")
    row = get_object_or_404(visible, pk=pk)
    summaries_ensure(row.programme)
    if not visible.filter(pk=pk).exists():
        same = visible.filter(programme=row.programme, kind=row.kind, cluster_id=row.cluster_id,
                              region_id=row.region_id, zone_id=row.zone_id, code=row.code, year=row.year,
                              quarter=row.quarter).values_list("pk", flat=True).first()
        if same is None:
            raise Http404(_("该数据已不存在（集群或区划已变更），请回到看板重新打开"))
        return redirect("dashboards:figure", pk=same)
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
