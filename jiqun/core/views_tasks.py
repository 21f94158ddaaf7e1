"""Background jobs seen from the browser: start one (the quarterly report, a large statistical template), the
user's list of them (/tasks/), a job's page that polls its status (/tasks/<id>/) and its download. Who sees a job
is jiqun.accounts.scoping.background_job_q: its owner only, another user's job is a 404."""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiqun.core.models import BackgroundJob, JobKind, JobStatus
from jiqun.core.services import background_job_download, background_job_start, job_file


def _language(request: HttpRequest) -> str:
    return getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE


QUARTERLY_PARAMETERS = ("programme", "year", "quarter", "region", "cluster", "format")


@login_required
@require_http_methods(["GET", "POST"])
def start_quarterly(request: HttpRequest) -> HttpResponse:
    """季度分析报告 as a background job: GET names what will be made (after checking the parameters), POST starts it."""
    from jiqun.reports import builders

    posted = (request.POST if request.method == "POST" else request.GET).dict()
    params = {name: posted[name] for name in QUARTERLY_PARAMETERS if name in posted}  # nothing else is kept
    if params.get("format", "docx") not in ("docx", "pdf"):
        return render(request, "reports/bad_parameters.html", {"errors": {"format": _(
            "参数 format（格式）应为 docx 或 pdf，收到“%(value)s”") % {"value": params["format"][:20]}}}, status=400)
    try:
        parsed = builders.parse(request.user, params)
    except builders.NotFound as exc:
        raise Http404(str(exc)) from exc
    except builders.BadParameters as exc:
        return render(request, "reports/bad_parameters.html", {"errors": exc.errors}, status=400)
    title = f"{_('季度分析报告')} {parsed.programme.code} {parsed.subject_name}"
    if request.method == "GET":
        return render(request, "core/task_start.html", {"title": title, "params": params})
    job = background_job_start(actor=request.user, kind=JobKind.QUARTERLY, title=title,
                               params={**params, "language": _language(request)})
    return redirect("tasks:detail", pk=job.pk)


@login_required
@require_POST
def start_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The statistical template of a period for the user's scope, built by the worker."""
    from jiqun.core.templatetags.tasks import template_scope_size
    from jiqun.monitoring.models import ReportingPeriod

    period = get_object_or_404(ReportingPeriod, pk=pk)
    if not template_scope_size(request.user, period):
        messages.error(request, _("本报告期没有您可以填报的报表（都已提交，或不在您的范围内）"))
        return redirect("monitoring:period", pk=pk)
    job = background_job_start(actor=request.user, kind=JobKind.TEMPLATE, title=f"{_('统计季报填报模板')} {period.label}",
                               params={"period": period.pk, "language": _language(request)})
    return redirect("tasks:detail", pk=job.pk)


def _state(job: BackgroundJob) -> dict:
    return {"status": job.status, "status_label": str(job.get_status_display()), "progress": job.progress,
            "finished": job.finished, "error": job.error,
            "download": reverse("tasks:download", args=[job.pk]) if job_file(job) else ""}


def _again(job: BackgroundJob) -> dict | None:
    """How to make an expired job's file again: the page that starts the same work (its parameters are checked
    again there), as a link (the quarterly report's start page) or a form (the period's template)."""
    if job.status != JobStatus.EXPIRED:
        return None
    params = {k: v for k, v in (job.params or {}).items() if k != "language"}
    if job.kind == JobKind.QUARTERLY:
        # in the report's own order: PostgreSQL's jsonb gives the keys back in an order of its own
        order = ("programme", "year", "quarter", "region", "cluster")
        query = sorted(params.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0]))
        return {"method": "get", "url": f"{reverse('tasks:quarterly')}?{urlencode(query)}"}
    if job.kind == JobKind.TEMPLATE and str(params.get("period", "")).isdigit():
        return {"method": "post", "url": reverse("tasks:template", args=[int(params["period"])])}
    return None


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    """我的后台任务: the user's own jobs, newest first, with their status, file or error."""
    jobs = BackgroundJob.objects.for_user(request.user).order_by("-created_at")
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    rows = [{"job": job, "state": _state(job), "again": _again(job)} for job in page]
    return render(request, "core/tasks.html", {"page": page, "rows": rows,
                                               "keep_days": settings.JIQUN_TASK_KEEP_DAYS})


@login_required
@require_GET
def detail(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(BackgroundJob.objects.for_user(request.user), pk=pk)
    return render(request, "core/task.html", {"job": job, "state": _state(job), "again": _again(job),
                                              "keep_days": settings.JIQUN_TASK_KEEP_DAYS})


@login_required
@require_GET
def status(request: HttpRequest, pk) -> JsonResponse:
    """What the job page polls: status, progress (0–100), error message, download address once done."""
    job = get_object_or_404(BackgroundJob.objects.for_user(request.user), pk=pk)
    return JsonResponse(_state(job))


@login_required
@require_GET
def download(request: HttpRequest, pk) -> HttpResponse:
    job = get_object_or_404(BackgroundJob.objects.for_user(request.user), pk=pk)
    try:
        path = background_job_download(actor=request.user, job=job)
    except FileNotFoundError as exc:
        raise Http404(_("文件尚未生成或已被清理")) from exc
    response = FileResponse(path.open("rb"), content_type=job.content_type or "application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(job.file_name)}"
    return response
