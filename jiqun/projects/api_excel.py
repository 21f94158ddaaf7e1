"""/api/v1/projects/import and /api/v1/projects/export: the project library's Excel in and out, with the pages'
scoping (the export holds only the caller's projects; the import writes only inside the caller's region)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from jiqun.api.schemas import errors
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import XLSX, xlsx_response
from jiqun.core.text import Text
from jiqun.monitoring.importer.package import mib
from jiqun.projects.excel import export_for
from jiqun.projects.importer import import_projects
from jiqun.projects.permissions import can_import_projects

router = Router(tags=["projects"])


class ImportOut(Schema):
    created: list[str] = Field(description="新建项目的编号")
    updated: list[str] = Field(description="有修改的项目编号")
    unchanged: list[str] = Field(description="与系统一致、未修改的项目编号")
    moves: int = Field(description="按阶段日期推进阶段的次数")


class ImportProblemOut(Schema):
    sheet: str
    row: int = Field(description="行号（同 Excel，0 为整个文件）")
    column: str = Field(description="列字母，空为整行")
    message: str


class ImportRefusedOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    problems: list[ImportProblemOut]


class ExportFilter(Schema):
    q: Text = Field("", max_length=100, description="名称或编号包含")
    stage: Text = Field("", max_length=20, description="阶段：planning, reserve, started, completed, producing, suspended, withdrawn")
    kind: Text = Field("", max_length=20, description="项目类型")
    region: Text = Field("", max_length=6, description="区划代码（含下级）")
    zone: int | None = Field(None, ge=1, le=2**63 - 1, description="园区编号")
    cluster: int | None = Field(None, ge=1, le=2**63 - 1, description="集群编号")
    major: Text = Field("", max_length=1, description="1 重大项目，0 非重大项目")
    level: Text = Field("", max_length=10, description="重大项目级别：province, city, county")


@router.post("/projects/import", response={200: ImportOut, 400: ImportRefusedOut, **errors(401, 403, 422)},
             summary="导入项目库（Excel 模板，整体导入）")
def import_library(request: HttpRequest, file: File[UploadedFile] = None):
    """Upload a filled project-library template (multipart, field `file`); all or nothing, problems by row and column."""
    if not can_import_projects(request.user):
        raise PermissionDenied(_("您无权导入项目；项目库由县区、市和省级管理员维护"))
    if file is None:
        message = _("请以 multipart/form-data 上传字段 file：填好的项目库模板（.xlsx）")
        return Status(400, {"detail": message, "problems": [{"sheet": "", "row": 0, "column": "", "message": message}]})
    if file.size > settings.JIQUN_UPLOAD_MAX_BYTES:
        message = _("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，未导入") % {
            "file": file.name, "size": mib(file.size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)}
        return Status(400, {"detail": message, "problems": [
            {"sheet": "", "row": 0, "column": "", "message": message}]})
    result = import_projects(user=request.user, content=file.read(), file_name=file.name or "upload.xlsx")
    if not result.ok:
        return Status(400, {
            "detail": _("文件未导入：发现 %(n)d 处问题，未写入任何数据") % {"n": len(result.problems)},
            "problems": [{"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.reason}
                         for p in result.problems]})
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "moves": result.moves}


@router.get("/projects/export", response={200: None, **errors(400, 401, 422)}, summary="导出项目库（Excel，按筛选条件）",
            openapi_extra={"responses": {200: {"description": "项目库 .xlsx（与导入模板同一格式）",
                                                 "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
def export_library(request: HttpRequest, filters: Query[ExportFilter]) -> HttpResponse:
    """The caller's projects, filtered as on the list page, as .xlsx in the import template's layout."""
    params = {k: str(v) for k, v in filters.dict().items() if v not in (None, "")}
    content, problems = export_for(request.user, params)
    if problems:
        raise ValidationError({name: [message] for name, message in problems.items()})
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="projects.project",
                 object_repr=_("项目库导出（接口）"))
    return xlsx_response(content, f"{_('重大项目库')}-{timezone.localdate():%Y%m%d}.xlsx")
