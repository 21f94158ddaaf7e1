from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiqun.accounts.permissions import can_create_in_region, can_edit_enterprise
from jiqun.enterprises.forms import CarrierForm, EnterpriseFilterForm, EnterpriseForm
from jiqun.enterprises.models import Enterprise, InnovationCarrier
from jiqun.enterprises.services import carrier_create, enterprise_create, enterprise_update


def enterprise_search(user, params) -> tuple[EnterpriseFilterForm, QuerySet[Enterprise]]:
    form = EnterpriseFilterForm(params, user=user)
    enterprises = Enterprise.objects.for_user(user).select_related("region", "zone")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            enterprises = enterprises.filter(
                Q(name__icontains=q) | Q(full_name__icontains=q) | Q(credit_code__iexact=q)
            )
        if data["city"]:
            enterprises = enterprises.filter(region__code__startswith=data["city"].prefix)
        if data["cluster"]:
            enterprises = enterprises.filter(memberships__cluster=data["cluster"])
        if data["honour"]:
            enterprises = enterprises.filter(honours__kind=data["honour"])
    return form, enterprises.prefetch_related("honours", "memberships__cluster").distinct().order_by("name")


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    form, enterprises = enterprise_search(request.user, request.GET)
    page = Paginator(enterprises, 50).get_page(request.GET.get("page"))
    template = "enterprises/_rows.html" if request.htmx else "enterprises/list.html"
    can_create = can_create_in_region(request.user, request.user.region_id or "")
    return render(request, template, {"form": form, "page": page, "can_create": can_create})


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user).select_related("region"), pk=pk)
    return render(request, "enterprises/detail.html", {
        "enterprise": enterprise,
        "memberships": enterprise.memberships.select_related("cluster__programme"),
        "honours": enterprise.honours.all(),
        "scale_years": enterprise.scale_years.all(),
        "carriers": enterprise.carriers.all(),
        "can_edit": can_edit_enterprise(request.user, enterprise),
    })


@login_required
def enterprise_create_view(request: HttpRequest) -> HttpResponse:
    if not can_create_in_region(request.user, request.user.region_id or ""):
        raise Http404
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        enterprise = enterprise_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("已新增企业“%(name)s”") % {"name": enterprise.name})
        return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form})


@login_required
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=pk)
    if not can_edit_enterprise(request.user, enterprise):
        if request.method == "POST":  # a write on an enterprise it sees: refused (403), not hidden
            raise PermissionDenied(_("您无权修改该企业。"))
        messages.error(request, _("您无权修改该企业。"))
        return redirect("enterprises:detail", pk=pk)
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        base_version = data.pop("version")
        try:
            enterprise_update(actor=request.user, enterprise=Enterprise.objects.get(pk=pk), base_version=base_version,
                              **data)
        except ValidationError as exc:  # a stale version: the form stays as typed, the message says who saved
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("enterprises:detail", pk=pk)
    return render(request, "enterprises/form.html", {"form": form, "enterprise": enterprise})


@login_required
def carrier_list(request: HttpRequest) -> HttpResponse:
    carriers = InnovationCarrier.objects.for_user(request.user).select_related("host", "region", "cluster")
    level = request.GET.get("level", "")
    if level:
        carriers = carriers.filter(level=level)
    page = Paginator(carriers, 50).get_page(request.GET.get("page"))
    can_create = can_create_in_region(request.user, request.user.region_id or "")
    return render(request, "enterprises/carriers.html", {"page": page, "level": level, "can_create": can_create})


@login_required
def carrier_create_view(request: HttpRequest) -> HttpResponse:
    if not can_create_in_region(request.user, request.user.region_id or ""):
        raise Http404
    form = CarrierForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        carrier_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("已新增创新载体"))
        return redirect("enterprises:carriers")
    return render(request, "enterprises/form.html", {"form": form, "carrier": True})
