"""Downloads of the reports that go up the hierarchy: /reports/quarterly.docx, /reports/halfyear.xlsx, the annual
evaluation report (/reports/evaluation/<pk>.docx or .pdf), the cluster one-pager (/reports/cluster/<pk>.pdf),
the quarterly analysis as PDF (/reports/quarterly.pdf) and a recognition round's result notice (/reports/notice/<pk>.docx)."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jiqun.reports.builders import BadParameters, NotFound
from jiqun.reports.services import report_produce


def _download(request: HttpRequest, kind: str, params: dict | None = None) -> HttpResponse:
    try:
        produced = report_produce(actor=request.user, kind=kind, params=params or request.GET.dict())
    except NotFound as exc:
        raise Http404(str(exc)) from exc
    except BadParameters as exc:
        return render(request, "reports/bad_parameters.html", {"errors": exc.errors}, status=400)
    response = HttpResponse(produced.content, content_type=produced.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(produced.filename)}"
    return response


@login_required
@require_GET
def quarterly(request: HttpRequest) -> HttpResponse:
    """季度分析报告 (Word): ?programme=&year=&quarter=[&region= | &cluster=]."""
    return _download(request, "quarterly", {**request.GET.dict(), "format": "docx"})


@login_required
@require_GET
def quarterly_pdf(request: HttpRequest) -> HttpResponse:
    """季度分析报告 (PDF): the same parameters and report as the Word one."""
    return _download(request, "quarterly", {**request.GET.dict(), "format": "pdf"})


@login_required
@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """认定结果公示 (Word) of a published recognition round (the province's)."""
    return _download(request, "notice", {"call": str(pk)})


@login_required
@require_GET
def halfyear(request: HttpRequest) -> HttpResponse:
    """半年报汇总表 (Excel): ?programme=&year=&quarter=2|4[&region=]."""
    return _download(request, "halfyear")


@login_required
@require_GET
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """年度评价报告 (Word) of a published evaluation run."""
    return _download(request, "evaluation", {"run": str(pk)})


@login_required
@require_GET
def evaluation_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """年度评价报告 (PDF) of a published evaluation run: the same report as the Word one."""
    return _download(request, "evaluation", {"run": str(pk), "format": "pdf"})


@login_required
@require_GET
def cluster(request: HttpRequest, pk: int) -> HttpResponse:
    """集群一页纸 (PDF) of a cluster the user sees."""
    return _download(request, "cluster", {"cluster_id": str(pk)})
