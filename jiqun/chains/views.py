"""The chain pages: the list, a chain (its interactive map, the gap list, the local supporting rate and its
trend, the structure versions), a segment's panel, the forms that edit a chain through jiqun.chains.services,
and each table's download as Excel.

Every object is fetched through `for_user`, so one outside the user's scope is a 404; supply links are fetched
through SupplyLink.objects.for_user, so who does not see them gets a 404 on theirs.
"""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from jiqun.accounts.scoping import sees_supply_links
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains import page_excel
from jiqun.chains.analysis import ChainAnalysis, Need, Rating, analyse_chain, outside_inputs
from jiqun.chains.forms import (
    ChainFilterForm,
    ChainForm,
    PlacementForm,
    RemoveForm,
    SegmentForm,
    SegmentRetireForm,
    SupplyLinkForm,
)
from jiqun.chains.models import Chain, Placement, Segment, SupplyLink
from jiqun.chains.permissions import can_create_chain_in, can_edit_chain, can_edit_supply_links
from jiqun.chains.selectors import (
    chain_list,
    chain_map,
    chain_rows,
    gap_rows,
    segment_panel,
    trend_chart,
    trend_rows,
)
from jiqun.chains.services import (
    chain_create,
    chain_update,
    outside_company_create,
    placement_add,
    placement_remove,
    segment_add,
    segment_retire,
    segment_update,
    supply_link_add,
    supply_link_remove,
    supply_link_update,
)
from jiqun.core.downloads import xlsx_response

REFUSED = gettext_lazy("您无权修改该产业链；产业链由牵头区划、所属集群的促进机构或省级管理员维护")
LINKS_REFUSED = gettext_lazy("供应关系涉及企业经营数据，只能由产业链牵头区划或省级管理员录入")
DOWNLOADS = ("map", "gaps", "trend", "outside")


def _form_error(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, on the field it names when the form has that field."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, texts in errors.items():
        form.add_error(name if name in form.fields else None, texts)


def _chain(request: HttpRequest, pk: int) -> Chain:
    return get_object_or_404(Chain.objects.for_user(request.user).select_related(
        "region", "chief", "chain_leader"), pk=pk)


def _segment(request: HttpRequest, pk: int) -> Segment:
    return get_object_or_404(Segment.objects.for_user(request.user).select_related("chain__region", "parent"), pk=pk)


def _back(request: HttpRequest, chain: Chain, allowed: bool, message) -> HttpResponse | None:
    """A user who may not make this change is sent back to the chain on GET and refused (403) on POST."""
    if allowed:
        return None
    if request.method == "POST":
        raise PermissionDenied(str(message))
    messages.error(request, message)
    return redirect("chains:detail", pk=chain.pk)


def _year(request: HttpRequest) -> tuple[int | None, str]:
    raw = request.GET.get("year", "")
    if not raw:
        return None, ""
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= 2100:
        return int(raw), ""
    return None, _("“%(value)s”不是 2000 至 2100 之间的年份，已显示最近一年") % {"value": raw[:20]}


def _can_create(user) -> bool:
    return bool(getattr(user, "region_id", None)) and can_create_chain_in(user, user.region_id)


# --- reading ----------------------------------------------------------------------------------------------

@login_required
@require_GET
def chain_list_view(request: HttpRequest) -> HttpResponse:
    form = ChainFilterForm(request.GET or None, user=request.user)
    cluster = region = None
    if form.is_valid():
        cluster, region = form.cleaned_data["cluster"], form.cleaned_data["region"]
    elif form.is_bound:
        messages.error(request, _("筛选条件有误：%(detail)s") % {"detail": "；".join(
            f"{form.fields[f].label}：{m}" if f in form.fields else m for f, ms in form.errors.items() for m in ms)})
    rows = chain_rows(chain_list(request.user, cluster=cluster, region=region))
    return render(request, "chains/list.html", {"form": form, "rows": rows, "can_create": _can_create(request.user)})


@login_required
@require_GET
def chain_detail(request: HttpRequest, pk: int) -> HttpResponse:
    chain = _chain(request, pk)
    year, problem = _year(request)
    analysis = analyse_chain(chain, year=year)
    trend = trend_rows(chain)
    tree = chain_map(chain, analysis)
    sees_links = sees_supply_links(request.user, chain)
    return render(request, "chains/detail.html", {
        "chain": chain, "analysis": analysis, "problem": problem,
        "clusters": chain.clusters.all(),
        "map_data": json.dumps(tree, ensure_ascii=False),
        "map_height": max(360, 60 + 44 * len(analysis.segments)),
        "trend": trend, "trend_data": json.dumps(trend_chart(trend, chain.local_rate_target), ensure_ascii=False),
        "gaps": gap_rows(analysis), "verdicts": analysis.by_code(), "needs": dict(Need.choices), "ratings": dict(Rating.choices),
        "revisions": chain.revisions.order_by("-number"),
        "segments": chain.segments.select_related("parent").order_by("sort", "code"),
        "can_edit": can_edit_chain(request.user, chain),
        "sees_links": sees_links,
        "outside": outside_inputs(chain, analysis.year) if sees_links else [],
    })


@login_required
@require_GET
def segment_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A segment's panel: an htmx partial beside the map, or a page of its own."""
    segment = _segment(request, pk)
    panel = segment_panel(request.user, segment)
    context = {"panel": panel, "segment": segment, "chain": segment.chain, "ratings": dict(Rating.choices),
               "needs": dict(Need.choices)}
    template = "chains/_segment.html" if request.htmx else "chains/segment.html"
    return render(request, template, context)


# --- downloads --------------------------------------------------------------------------------------------

def _audit_export(request: HttpRequest, obj, what: str) -> None:
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=obj, object_repr=f"{obj} · {what}")


@login_required
@require_GET
def chain_download(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    chain = _chain(request, pk)
    if what not in DOWNLOADS:
        raise Http404
    year, _problem = _year(request)
    analysis: ChainAnalysis = analyse_chain(chain, year=year)
    if what == "map":
        content = page_excel.map_workbook(chain, analysis, chain.revisions.order_by("number"))
        label = _("产业链图谱")
    elif what == "gaps":
        content = page_excel.gaps_workbook(chain, analysis, gap_rows(analysis))
        label = _("短板清单")
    elif what == "outside":
        if not sees_supply_links(request.user, chain):  # the rows name suppliers, buyers and amounts
            raise Http404
        content = page_excel.outside_workbook(chain, analysis.year, outside_inputs(chain, analysis.year))
        label = _("外购清单")
    else:
        content = page_excel.trend_workbook(chain, trend_rows(chain))
        label = _("本地配套率趋势")
    _audit_export(request, chain, label)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(content, f"{chain.name}-{label}-{stamp}.xlsx")


@login_required
@require_GET
def segment_download(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment(request, pk)
    panel = segment_panel(request.user, segment)
    content = page_excel.segment_workbook(panel)
    _audit_export(request, segment, _("环节详情"))
    return xlsx_response(content, f"{segment.chain.name}-{segment.code}-{segment.name}.xlsx")


# --- editing the chain ------------------------------------------------------------------------------------

CHAIN_CHANGES = ("name", "region", "chief", "chief_name", "chain_leader", "local_scope", "local_radius_km",
                 "local_rate_target", "description", "clause")


def _chain_changes(data: dict) -> dict:
    changes = {name: data[name] for name in CHAIN_CHANGES}
    for name in ("chief_name", "description", "clause"):
        changes[name] = changes[name] or ""
    return changes


@login_required
def chain_create_view(request: HttpRequest) -> HttpResponse:
    if not _can_create(request.user):
        raise Http404
    form = ChainForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chain = chain_create(actor=request.user, code=data["code"], clusters=data["clusters"],
                                 **_chain_changes(data))
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已新建产业链“%(name)s”，请添加环节") % {"name": chain.name})
            return redirect("chains:detail", pk=chain.pk)
    return render(request, "chains/form.html", {"form": form, "title": _("新建产业链")})


@login_required
def chain_edit(request: HttpRequest, pk: int) -> HttpResponse:
    chain = _chain(request, pk)
    if (back := _back(request, chain, can_edit_chain(request.user, chain), REFUSED)) is not None:
        return back
    form = ChainForm(request.POST or None, user=request.user, chain=chain)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            chain_update(actor=request.user, chain=chain, base_version=data["version"], clusters=data["clusters"],
                         **_chain_changes(data))
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("chains:detail", pk=pk)
    return render(request, "chains/form.html", {"form": form, "chain": chain, "title": _("产业链设置")})


@login_required
def segment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    chain = _chain(request, pk)
    if (back := _back(request, chain, can_edit_chain(request.user, chain), REFUSED)) is not None:
        return back
    form = SegmentForm(request.POST or None, chain=chain, initial={"parent": request.GET.get("parent")}
                       if request.method == "GET" and (request.GET.get("parent") or "").isdigit() else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            segment = segment_add(actor=request.user, chain=chain, code=data["code"], name=data["name"],
                                  position=data["position"], parent=data["parent"], kind=data["kind"],
                                  industry_codes=data["industry_codes"], is_extension=data["is_extension"],
                                  sort=data["sort"] or 0, description=data["description"], note=data["note"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已添加环节“%(name)s”") % {"name": segment.name})
            return redirect("chains:detail", pk=pk)
    return render(request, "chains/form.html", {"form": form, "chain": chain, "title": _("添加环节")})


@login_required
def segment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment(request, pk)
    chain = segment.chain
    if (back := _back(request, chain, can_edit_chain(request.user, chain), REFUSED)) is not None:
        return back
    if segment.retired:
        messages.error(request, _("环节“%(name)s”已撤销，不能修改") % {"name": segment.name})
        return redirect("chains:detail", pk=chain.pk)
    form = SegmentForm(request.POST or None, chain=chain, segment=segment)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            segment_update(actor=request.user, segment=segment, base_version=data["version"], note=data["note"],
                           name=data["name"], parent=data["parent"], position=data["position"], kind=data["kind"],
                           industry_codes=(data["industry_codes"] or "").replace("，", ",").replace(" ", ""),
                           is_extension=data["is_extension"], sort=data["sort"] or 0,
                           description=data["description"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存环节“%(name)s”") % {"name": data["name"]})
            return redirect("chains:detail", pk=chain.pk)
    return render(request, "chains/form.html", {"form": form, "chain": chain, "segment": segment,
                                                "title": _("修改环节")})


@login_required
def segment_retire_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment(request, pk)
    chain = segment.chain
    if (back := _back(request, chain, can_edit_chain(request.user, chain), REFUSED)) is not None:
        return back
    form = SegmentRetireForm(request.POST or None, initial={"version": segment.version})
    if request.method == "POST" and form.is_valid():
        try:
            segment_retire(actor=request.user, segment=segment, base_version=form.cleaned_data["version"],
                           note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已撤销环节“%(name)s”") % {"name": segment.name})
            return redirect("chains:detail", pk=chain.pk)
    return render(request, "chains/form.html", {
        "form": form, "chain": chain, "segment": segment, "title": _("撤销环节"),
        "hint": _("撤销的环节不再显示在图谱上，其企业、供应关系、招引名录和项目保留；编码不再使用。")})


# --- placements -------------------------------------------------------------------------------------------

@login_required
def placement_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment(request, pk)
    chain = segment.chain
    if (back := _back(request, chain, can_edit_chain(request.user, chain), REFUSED)) is not None:
        return back
    form = PlacementForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a company registered here is undone when the placement is refused
                company = data["company"]
                if data["new_company_name"]:
                    company = outside_company_create(
                        actor=request.user, name=data["new_company_name"], place=data["new_company_place"],
                        credit_code=data["new_company_credit_code"] or None)
                placement = placement_add(actor=request.user, segment=segment, enterprise=data["enterprise"],
                                          company=company, role=data["role"], product=data["product"])
        except ValidationError as exc:
            if data["new_company_name"] and hasattr(exc, "error_dict"):
                renamed = {("new_company_" + k if k in ("name", "place", "credit_code") else k): v
                           for k, v in exc.message_dict.items()}
                exc = ValidationError(renamed)
            _form_error(form, exc)
        except PermissionDenied as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已把“%(name)s”放到环节“%(segment)s”上") % {
                "name": placement.party, "segment": segment.name})
            return redirect("chains:detail", pk=chain.pk)
    return render(request, "chains/form.html", {"form": form, "chain": chain, "segment": segment,
                                                "title": _("环节企业")})


@login_required
@require_POST
def placement_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    placement = get_object_or_404(Placement.objects.for_user(request.user).select_related("segment__chain"), pk=pk)
    chain = placement.segment.chain
    _back(request, chain, can_edit_chain(request.user, chain), REFUSED)
    form = RemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["version"])
        placement_remove(actor=request.user, placement=placement, base_version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已把“%(name)s”移出环节“%(segment)s”") % {
            "name": placement.party, "segment": placement.segment.name})
    return redirect("chains:detail", pk=chain.pk)


# --- supply links -----------------------------------------------------------------------------------------

def _link(request: HttpRequest, pk: int) -> SupplyLink:
    return get_object_or_404(SupplyLink.objects.for_user(request.user).select_related("segment__chain"), pk=pk)


@login_required
def supply_link_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    segment = _segment(request, pk)
    chain = segment.chain
    if (back := _back(request, chain, can_edit_supply_links(request.user, chain), LINKS_REFUSED)) is not None:
        return back
    form = SupplyLinkForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supply_link_add(actor=request.user, segment=segment, year=data["year"], buyer=data["buyer"],
                            buyer_company=data["buyer_company"], supplier=data["supplier"],
                            supplier_company=data["supplier_company"], product=data["product"],
                            amount=data["amount"], note=data["note"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已录入供应关系"))
            return redirect("chains:detail", pk=chain.pk)
    return render(request, "chains/form.html", {"form": form, "chain": chain, "segment": segment,
                                                "title": _("录入供应关系")})


@login_required
def supply_link_edit(request: HttpRequest, pk: int) -> HttpResponse:
    link = _link(request, pk)
    chain = link.segment.chain
    if (back := _back(request, chain, can_edit_supply_links(request.user, chain), LINKS_REFUSED)) is not None:
        return back
    form = SupplyLinkForm(request.POST or None, user=request.user, link=link)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            supply_link_update(actor=request.user, link=link, base_version=data["version"], year=data["year"],
                               product=data["product"], amount=data["amount"], note=data["note"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已更正供应关系"))
            return redirect("chains:detail", pk=chain.pk)
    return render(request, "chains/form.html", {"form": form, "chain": chain, "segment": link.segment, "link": link,
                                                "title": _("更正供应关系")})


@login_required
@require_POST
def supply_link_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    link = _link(request, pk)
    chain = link.segment.chain
    _back(request, chain, can_edit_supply_links(request.user, chain), LINKS_REFUSED)
    form = RemoveForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors["version"])
        supply_link_remove(actor=request.user, link=link, base_version=form.cleaned_data["version"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已删除供应关系"))
    return redirect("chains:detail", pk=chain.pk)
