"""The audit administrator's pages: search, export and the chain check. Nobody else reaches them (404)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from jiqun.accounts.permissions import can_read_audit
from jiqun.audit.excel import build_audit_workbook
from jiqun.audit.forms import AuditFilterForm
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.audit.services import audit_record, audit_verify_report
from jiqun.core.downloads import xlsx_response

EXPORT_MAX_ROWS = 200_000


def _audit_admin(request: HttpRequest) -> None:
    # 404 rather than 403: other roles are not told the page exists (the middleware logs the denial).
    if not can_read_audit(request.user):
        raise Http404


def _criteria(form: AuditFilterForm) -> str:
    return "；".join(f"{form.fields[name].label}={value}" for name, value in form.cleaned_data.items() if value)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    _audit_admin(request)
    form = AuditFilterForm(request.GET)
    valid = form.is_valid()
    events = form.filter(AuditEvent.objects.all()) if valid else AuditEvent.objects.none()
    page = Paginator(events.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"form": form, "page": page}, status=200 if valid else 400)


@login_required
def event_export(request: HttpRequest) -> HttpResponse:
    _audit_admin(request)
    form = AuditFilterForm(request.GET)
    if not form.is_valid():
        page = Paginator(AuditEvent.objects.none(), 50).get_page(1)
        return render(request, "audit/list.html", {"form": form, "page": page}, status=400)
    events = form.filter(AuditEvent.objects.all()).order_by("id")
    count = events.count()
    if count > EXPORT_MAX_ROWS:
        form.add_error(None, _("符合条件的日志有 %(n)s 条，一次最多导出 %(max)s 条，请缩小日期范围")
                       % {"n": count, "max": EXPORT_MAX_ROWS})
        page = Paginator(AuditEvent.objects.none(), 50).get_page(1)
        return render(request, "audit/list.html", {"form": form, "page": page}, status=400)
    criteria = _criteria(form)
    content = build_audit_workbook(events.iterator(chunk_size=2000), criteria=criteria,
                                   user_name=request.user.username)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="audit.auditevent",
                 object_repr=_("审计日志导出 %(n)s 条") % {"n": count}, ip=request.META.get("REMOTE_ADDR"),
                 after={"criteria": criteria, "rows": count})
    return xlsx_response(content, _("审计日志.xlsx"))


@login_required
def chain_verify(request: HttpRequest) -> HttpResponse:
    _audit_admin(request)
    return render(request, "audit/verify.html", {"report": audit_verify_report()})
