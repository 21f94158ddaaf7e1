"""Pages of the incident register: the filtered list (and its workbook), record, correct, withdraw."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.downloads import xlsx_response
from jiqun.incidents.excel import build_incident_workbook
from jiqun.incidents.forms import IncidentFilterForm, IncidentForm, WithdrawForm
from jiqun.incidents.models import Incident, IncidentStatus
from jiqun.incidents.permissions import can_record_incident, may_record_incidents
from jiqun.incidents.selectors import incidents_for
from jiqun.incidents.services import EDITABLE_FIELDS, incident_create, incident_update, incident_withdraw

DENIED = gettext_lazy("只有省级管理员或集群所在市的市级用户可以登记、更正或撤销事故与失信记录")


def _filtered(request: HttpRequest) -> tuple[IncidentFilterForm, object]:
    form = IncidentFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, incidents_for(request.user, q=filters.get("q") or "", cluster=filters.get("cluster"),
                               kind=filters.get("kind") or "", severity=filters.get("severity") or "",
                               status=filters.get("status") or "", year=filters.get("year"))


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    form, incidents = _filtered(request)
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "incidents/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "can_record": may_record_incidents(request.user)})


@login_required
def incident_export(request: HttpRequest) -> HttpResponse:
    _form, incidents = _filtered(request)
    incidents = list(incidents)
    content = build_incident_workbook(incidents)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="incidents.incident",
                 object_repr=_("事故与失信记录（%(n)s 条）") % {"n": len(incidents)})
    return xlsx_response(content, _("事故与失信记录.xlsx"))


def _form_error(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, on the field it names when the form has that field."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def incident_create_view(request: HttpRequest) -> HttpResponse:
    if not may_record_incidents(request.user):
        if request.method == "POST":
            raise PermissionDenied(DENIED)
        messages.error(request, DENIED)
        return redirect("incidents:list")
    form = IncidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_create(actor=request.user, cluster=data["cluster"],
                                       **{f: data[f] for f in EDITABLE_FIELDS})
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记"))
            return redirect(f"{reverse('incidents:list')}?cluster={incident.cluster_id}")
    return render(request, "incidents/form.html", {"form": form})


@login_required
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.for_user(request.user).select_related("cluster"), pk=pk)
    if not can_record_incident(request.user, incident.cluster):
        if request.method == "POST":
            raise PermissionDenied(DENIED)
        messages.error(request, DENIED)
        return redirect("incidents:list")
    form = IncidentForm(request.POST or None, instance=incident, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident_update(actor=request.user, incident=incident, base_version=data["version"],
                            **{f: data[f] for f in EDITABLE_FIELDS})
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("incidents:list")
    return render(request, "incidents/form.html", {
        "form": form, "incident": incident, "withdraw_form": WithdrawForm(initial={"version": incident.version}),
        "can_withdraw": incident.status == IncidentStatus.RECORDED})


@login_required
@require_POST
def incident_withdraw_view(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.for_user(request.user).select_related("cluster"), pk=pk)
    if not can_record_incident(request.user, incident.cluster):
        raise PermissionDenied(DENIED)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            incident_withdraw(actor=request.user, incident=incident, reason=form.cleaned_data["reason"],
                              base_version=form.cleaned_data.get("version"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, _("已撤销"))
            return redirect("incidents:list")
    else:
        messages.error(request, "；".join(f"{form.fields[f].label if f in form.fields else ''}：{'；'.join(e)}"
                                         for f, e in form.errors.items()))
    return redirect("incidents:edit", pk=pk)
