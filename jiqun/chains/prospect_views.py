"""Pages of the 招引名录: the filtered list (with the segments the chosen chain needs), add an entry from a
segment, one entry with its contacts and moves, and the list's workbook."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains.models import Prospect, ProspectStatus, Segment
from jiqun.chains.permissions import can_edit_prospects
from jiqun.chains.prospect_excel import build_prospect_workbook
from jiqun.chains.prospect_forms import (
    ContactForm,
    MoveForm,
    ProspectEditForm,
    ProspectFilterForm,
    ProspectForm,
    SignForm,
)
from jiqun.chains.prospect_selectors import prospects_for
from jiqun.chains.prospect_services import (
    OPEN_STATUSES,
    prospect_contact,
    prospect_create,
    prospect_move,
    prospect_sign,
    prospect_update,
    segment_verdict,
)
from jiqun.core.downloads import xlsx_response

DENIED = gettext_lazy("您无权修改该产业链的招引名录；招引名录由产业链牵头区划、所属集群的促进机构或省级管理员维护")


def _filtered(request: HttpRequest):
    form = ProspectFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = prospects_for(request.user, chain=filters.get("chain"), status=filters.get("status") or "",
                            priority=filters.get("priority") or "", q=filters.get("q") or "")
    return form, filters, entries


def _gaps(chain, user) -> list[dict]:
    """The chain's segments that need entries (弱, 缺, 延链), each with its verdict and whether the user adds."""
    from jiqun.chains.analysis import Need, Rating, analyse_chain

    analysis = analyse_chain(chain)
    segments = {s.pk: s for s in Segment.objects.filter(chain=chain, retired=False)}
    editable = can_edit_prospects(user, chain)
    ratings, needs = dict(Rating.choices), dict(Need.choices)
    return [{"segment": segments[v.segment_id], "verdict": v, "can_add": editable,
             "rating_label": ratings[v.rating], "need_label": needs[v.need]}
            for v in analysis.segments if v.need != Need.KEEP or segments[v.segment_id].is_extension]


def _rating_label(verdict) -> str:
    from jiqun.chains.analysis import Rating

    return str(dict(Rating.choices).get(verdict.rating, "")) if verdict else ""


@login_required
def prospect_list(request: HttpRequest) -> HttpResponse:
    form, filters, entries = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    chain = filters.get("chain")
    return render(request, "chains/prospects_list.html", {
        "form": form, "page": page, "query": query.urlencode(), "chain": chain,
        "gaps": _gaps(chain, request.user) if chain else []})


@login_required
def prospect_export(request: HttpRequest) -> HttpResponse:
    _form, _filters, entries = _filtered(request)
    entries = list(entries)
    content = build_prospect_workbook(entries)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="chains.prospect",
                 object_repr=_("招引名录（%(n)s 条）") % {"n": len(entries)})
    return xlsx_response(content, _("招引名录.xlsx"))


def _form_error(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, on the field it names when the form has that field."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, texts in errors.items():
        form.add_error(field if field in form.fields else None, texts)


def _flash(request: HttpRequest, form: forms.Form, exc: ValidationError | PermissionDenied | None = None) -> None:
    """A refused action of the detail page: its message, naming the field, shown above the entry."""
    if exc is not None:
        _form_error(form, exc)
    for field, texts in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{'；'.join(texts)}" if label else "；".join(texts))


@login_required
def prospect_add(request: HttpRequest) -> HttpResponse:
    segment_id = request.GET.get("segment", "")
    if not (segment_id.isascii() and segment_id.isdigit() and len(segment_id) <= 18):
        messages.error(request, _("请从产业链的环节进入添加招引名录（缺少环节编号）"))
        return redirect("chain_prospects:list")
    segment = get_object_or_404(Segment.objects.for_user(request.user).select_related("chain"), pk=int(segment_id))
    if not can_edit_prospects(request.user, segment.chain):
        if request.method == "POST":
            raise PermissionDenied(DENIED)
        messages.error(request, DENIED)
        return redirect("chain_prospects:list")
    form = ProspectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = prospect_create(actor=request.user, segment=segment, company=data["company"],
                                    company_name=data["company_name"], company_place=data["company_place"],
                                    company_credit_code=data["company_credit_code"] or None, reason=data["reason"],
                                    priority=data["priority"], owner_unit=data["owner_unit"], on=data["on"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已列入招引名录"))
            return redirect("chain_prospects:detail", pk=entry.pk)
    verdict = segment_verdict(segment)
    return render(request, "chains/prospects_form.html", {
        "form": form, "segment": segment, "verdict": verdict, "rating_label": _rating_label(verdict)})


def _visible(request: HttpRequest, pk: int) -> Prospect:
    return get_object_or_404(Prospect.objects.for_user(request.user)
                             .select_related("segment__chain__region", "company", "project"), pk=pk)


@login_required
def prospect_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _visible(request, pk)
    editable = can_edit_prospects(request.user, entry.segment.chain)
    is_open = entry.status in OPEN_STATUSES
    verdict = segment_verdict(entry.segment)
    context = {"entry": entry, "events": entry.events.order_by("on", "pk"), "can_edit": editable,
               "verdict": verdict, "rating_label": _rating_label(verdict)}
    if editable:
        context |= {
            "edit_form": ProspectEditForm(initial={"reason": entry.reason, "priority": entry.priority,
                                                   "owner_unit": entry.owner_unit, "version": entry.version}),
            "contact_form": ContactForm() if entry.status != ProspectStatus.DROPPED else None,
            "move_form": MoveForm(initial={"version": entry.version}) if is_open else None,
            "sign_form": (SignForm(user=request.user, chain=entry.segment.chain, initial={"version": entry.version})
                          if entry.status == ProspectStatus.CONTACT else None),
        }
    return render(request, "chains/prospects_detail.html", context)


def _writable(request: HttpRequest, pk: int) -> Prospect:
    entry = _visible(request, pk)
    if not can_edit_prospects(request.user, entry.segment.chain):
        raise PermissionDenied(DENIED)
    return entry


def _act(request: HttpRequest, pk: int, form, act, done: str) -> HttpResponse:
    """One POST on an entry: a valid form goes to its service; a refusal is flashed on the entry's page."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            _flash(request, form, exc)
        else:
            messages.success(request, done)
    else:
        _flash(request, form)
    return redirect("chain_prospects:detail", pk=pk)


@login_required
@require_POST
def prospect_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _writable(request, pk)
    return _act(request, pk, ProspectEditForm(request.POST), lambda data: prospect_update(
        actor=request.user, prospect=entry, base_version=data["version"], reason=data["reason"],
        priority=data["priority"], owner_unit=data["owner_unit"]), _("已保存"))


@login_required
@require_POST
def prospect_contact_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _writable(request, pk)
    return _act(request, pk, ContactForm(request.POST), lambda data: prospect_contact(
        actor=request.user, prospect=entry, on=data["on"], way=data["way"], note=data["note"]), _("已记录接洽"))


@login_required
@require_POST
def prospect_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _writable(request, pk)
    return _act(request, pk, MoveForm(request.POST), lambda data: prospect_move(
        actor=request.user, prospect=entry, to_status=data["to_status"], on=data["on"], note=data["note"],
        base_version=data["version"]), _("状态已更新"))


@login_required
@require_POST
def prospect_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _writable(request, pk)
    form = SignForm(request.POST, user=request.user, chain=entry.segment.chain)
    return _act(request, pk, form, lambda data: prospect_sign(
        actor=request.user, prospect=entry, on=data["on"], base_version=data["version"], project=data["project"],
        project_name=data["project_name"], total_investment=data["total_investment"], region=data["region"],
        note=data["note"]), _("已签约，项目已进入项目库"))
