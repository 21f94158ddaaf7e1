"""Pages of the project library's Excel in and out: the import (upload, errors table), the template, the export."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.monitoring.forms import UploadForm
from jiqun.projects.excel import export_for, template_for
from jiqun.projects.importer import import_projects
from jiqun.projects.permissions import can_import_projects


class ProjectUploadForm(UploadForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("填好的项目库模板（.xlsx）")


@login_required
@require_http_methods(["GET", "POST"])
def project_import(request: HttpRequest) -> HttpResponse:
    """Upload a filled template; every problem by sheet, row and column, or what was created and updated."""
    if not can_import_projects(request.user):
        raise Http404  # a leader, a cluster organisation, an expert: nothing to import into
    form = ProjectUploadForm(request.POST or None, request.FILES or None)
    result, file_name = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # refused above JIQUN_UPLOAD_MAX_BYTES before it is read
        file_name = upload.name
        result = import_projects(user=request.user, content=upload.read(), file_name=upload.name)
        form = ProjectUploadForm()
    return render(request, "projects/import.html", {
        "form": form, "result": result, "file_name": file_name,
        "max_mb": settings.JIQUN_UPLOAD_MAX_BYTES // 1024**2})


@login_required
@require_GET
def project_template(request: HttpRequest) -> HttpResponse:
    """The template with the user's own projects, regions, parks and clusters."""
    if not can_import_projects(request.user):
        raise Http404
    content = template_for(request.user)
    return xlsx_response(content, f"{_('重大项目库导入模板')}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def project_export(request: HttpRequest) -> HttpResponse:
    """The list, filtered as on the list page, as .xlsx in the template's layout."""
    content, _problems = export_for(request.user, request.GET)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="projects.project",
                 object_repr=_("项目库导出 %(filters)s") % {
                     "filters": "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()))[:150]})
    return xlsx_response(content, f"{_('重大项目库')}-{timezone.localdate():%Y%m%d}.xlsx")
