"""Pages of a chain's Excel in and out: the import (a new chain, or into a chain), the empty template, the export."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jiqun.accounts.models import Role
from jiqun.accounts.scoping import sees_supply_links
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains import excel
from jiqun.chains.importer import import_chain
from jiqun.chains.models import Chain
from jiqun.chains.permissions import can_edit_chain
from jiqun.core.downloads import xlsx_response
from jiqun.monitoring.forms import UploadForm

CREATORS = (Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER)


class ChainUploadForm(UploadForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("填好的产业链模板或导出的产业链（.xlsx）")


def _import_page(request: HttpRequest, chain: Chain | None) -> HttpResponse:
    form = ChainUploadForm(request.POST or None, request.FILES or None)
    result, file_name = None, ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]  # refused above JIQUN_UPLOAD_MAX_BYTES before it is read
        file_name = upload.name
        result = import_chain(user=request.user, content=upload.read(), file_name=upload.name, chain=chain)
        form = ChainUploadForm()
    return render(request, "chains/excel_import.html", {
        "form": form, "result": result, "file_name": file_name, "chain": chain,
        "sees_links": chain is None or sees_supply_links(request.user, chain),
        "max_mb": settings.JIQUN_UPLOAD_MAX_BYTES // 1024**2})


@login_required
@require_http_methods(["GET", "POST"])
def chain_import_new(request: HttpRequest) -> HttpResponse:
    """Upload a workbook naming its chain by code: into that chain, or a new chain in the user's region."""
    if request.user.role not in CREATORS:
        raise Http404  # only region officers create chains
    return _import_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def chain_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a workbook into this chain (the file's chain code is not read)."""
    chain = get_object_or_404(Chain.objects.for_user(request.user), pk=pk)
    if not can_edit_chain(request.user, chain):  # sent back to the chain on GET, as the chain's other forms
        refused = _("您无权修改该产业链；产业链由牵头区划、所属集群的促进机构或省级管理员维护")
        if request.method == "POST":
            raise PermissionDenied(refused)
        messages.error(request, refused)
        return redirect("chains:detail", pk=chain.pk)
    return _import_page(request, chain)


@login_required
@require_GET
def chain_template(request: HttpRequest) -> HttpResponse:
    """The empty template: a new chain's sheets to fill."""
    return xlsx_response(excel.template(request.user), excel.file_name(None))


@login_required
@require_GET
def chain_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The chain as .xlsx in the template's layout; its supply links only for who sees them."""
    chain = get_object_or_404(Chain.objects.for_user(request.user), pk=pk)
    content = excel.export_chain(request.user, chain)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=chain,
                 after={"supply_links": sees_supply_links(request.user, chain)})
    return xlsx_response(content, excel.file_name(chain))
