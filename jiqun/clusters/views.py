from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jiqun.accounts.permissions import can_create_in_region, can_edit_cluster
from jiqun.clusters.forms import ClusterFilterForm, ClusterForm
from jiqun.clusters.models import Cluster
from jiqun.clusters.services import cluster_create, cluster_update
from jiqun.enterprises.models import HonourKind


def cluster_search(user, params) -> tuple[ClusterFilterForm, QuerySet[Cluster]]:
    form = ClusterFilterForm(params)
    clusters = Cluster.objects.for_user(user).select_related("programme", "kind").prefetch_related("regions")
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            clusters = clusters.filter(Q(name__icontains=data["q"]) | Q(industry__icontains=data["q"]))
        if data["programme"]:
            clusters = clusters.filter(programme=data["programme"])
        if data["tier"]:
            clusters = clusters.filter(tier=data["tier"])
        if data["status"]:
            clusters = clusters.filter(status=data["status"])
        if data["city"]:
            clusters = clusters.filter(regions__code__startswith=data["city"].code[:4])
    return form, clusters.annotate(n_members=Count("memberships", distinct=True)).order_by("programme_id", "name")


@login_required
def cluster_list(request: HttpRequest) -> HttpResponse:
    form, clusters = cluster_search(request.user, request.GET)
    page = Paginator(clusters, 50).get_page(request.GET.get("page"))
    template = "clusters/_rows.html" if request.htmx else "clusters/list.html"
    can_create = can_create_in_region(request.user, request.user.region_id or "")
    return render(request, template, {"form": form, "page": page, "can_create": can_create})


@login_required
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster.objects.for_user(request.user).select_related("programme", "kind"), pk=pk)
    memberships = cluster.memberships.select_related("enterprise__region").prefetch_related("enterprise__honours")
    honours = {label: 0 for _value, label in HonourKind.choices}
    for membership in memberships:
        for honour in membership.enterprise.honours.all():
            honours[honour.get_kind_display()] += 1
    return render(request, "clusters/detail.html", {
        "cluster": cluster,
        "memberships": memberships,
        "honours": [(k, v) for k, v in honours.items() if v],
        "tier_changes": cluster.tier_changes.all(),
        "targets": cluster.targets.select_related("indicator", "programme"),
        "carriers": cluster.carriers.all(),
        "can_edit": can_edit_cluster(request.user, cluster),
    })


@login_required
def cluster_create_view(request: HttpRequest) -> HttpResponse:
    if not can_create_in_region(request.user, request.user.region_id or ""):
        raise Http404
    form = ClusterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cluster = cluster_create(
            actor=request.user, programme=data["programme"], code=data["code"], name=data["name"],
            kind=data["kind"], tier=data["tier"], status=data["status"], regions=data["regions"],
            zones=data["zones"], industry=data["industry"], industry_codes=data["industry_codes"],
            promotion_org=data["promotion_org"], chief=data["chief"], description=data["description"],
        )
        messages.success(request, _("已新增集群“%(name)s”") % {"name": cluster.name})
        return redirect("clusters:detail", pk=cluster.pk)
    return render(request, "clusters/form.html", {"form": form})


@login_required
def cluster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=pk)
    if not can_edit_cluster(request.user, cluster):
        messages.error(request, _("您无权修改该集群：跨市集群由省级维护，只读角色不能修改。"))
        return redirect("clusters:detail", pk=pk)
    form = ClusterForm(request.POST or None, instance=cluster, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fresh = Cluster.objects.get(pk=pk)  # the form has already written its values onto `cluster`
        try:
            cluster_update(
                actor=request.user, cluster=fresh, regions=data["regions"], zones=data["zones"],
                basis=data["basis"], base_version=data["version"],
                **{f: data[f] for f in ("name", "kind", "tier", "status", "industry", "industry_codes",
                                        "promotion_org", "chief", "description")},
            )
        except ValidationError as exc:  # a stale version: the form stays as typed, the message says who saved
            form.add_error(None, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("clusters:detail", pk=pk)
    return render(request, "clusters/form.html", {"form": form, "cluster": cluster})
