"""Dashboard pages shared by every overview: where a figure comes from."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from jiqun.dashboards.models import FigureSummary, SubjectKind
from jiqun.dashboards.selectors import subject_name
from jiqun.monitoring.figures import ApprovedFigures


@login_required
@require_GET
def figure(request: HttpRequest, pk: int) -> HttpResponse:
    """One dashboard figure: its value, 上年同期 and 同比, and each report and revision behind it (or why not)."""
    row = get_object_or_404(FigureSummary.objects.for_user(request.user).select_related(
        "programme", "cluster", "region", "zone"), pk=pk)
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
