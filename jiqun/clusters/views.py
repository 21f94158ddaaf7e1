import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiqun.accounts.permissions import (
    can_create_in_region,
    can_decide_cluster_standing,
    can_edit_cluster,
    can_propose_cluster_change,
)
from jiqun.clusters.forms import (
    ClusterFilterForm,
    ClusterForm,
    ClusterProposalForm,
    ProposalDecisionForm,
    ReviewDecisionForm,
    ReviewFilterForm,
)
from jiqun.clusters.models import Cluster, ClusterProposal, ProposalState, Review, ReviewOutcome
from jiqun.clusters.selectors import REVIEW_STATES, review_state, reviews_listed
from jiqun.clusters.services import (
    REVIEW_HORIZON,
    cluster_create,
    cluster_proposal_approve,
    cluster_proposal_create,
    cluster_proposal_reject,
    cluster_update,
    review_decide,
    review_decide_due,
    standing_denied_message,
)
from jiqun.dashboards import cluster_page
from jiqun.dashboards.charts import chart_download
from jiqun.dashboards.selectors import Summaries
from jiqun.targets.selectors import status_counts


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
            clusters = clusters.filter(regions__code__startswith=data["city"].prefix)
    return form, clusters.order_by("programme_id", "name")


@login_required
def cluster_list(request: HttpRequest) -> HttpResponse:
    form, clusters = cluster_search(request.user, request.GET)
    page = Paginator(clusters, 50).get_page(request.GET.get("page"))
    # Members counted for the page's 50 clusters only: annotating the whole list cost 350 ms at 500 clusters.
    counts = dict(Cluster.objects.filter(pk__in=[c.pk for c in page]).values_list("pk").annotate(n=Count("memberships")))
    for cluster in page:
        cluster.n_members = counts.get(cluster.pk, 0)
    template = "clusters/_rows.html" if request.htmx else "clusters/list.html"
    can_create = can_create_in_region(request.user, request.user.region_id or "")
    return render(request, template, {"form": form, "page": page, "can_create": can_create})


@login_required
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The cluster in depth: its profile, indicator trends, targets, members, projects, chains, evaluations
    and tier history; ?chart=<key> downloads a chart's data."""
    cluster = get_object_or_404(Cluster.objects.for_user(request.user).select_related("programme", "kind"), pk=pk)
    memberships = list(cluster.memberships.select_related("enterprise__region").prefetch_related("enterprise__honours"))
    wanted = request.GET.get("chart", "")  # a download builds only the section its chart belongs to
    trends = projects = chains = chains_chart = member_charts = None
    if not wanted or wanted.startswith(("trend-", "quarter-")):
        trends = cluster_page.trends(Summaries(request.user, cluster.programme), cluster, cluster_page.catalogue())
    if not wanted or wanted.startswith("members-"):
        member_charts = cluster_page.member_charts(memberships)
    if not wanted or wanted.startswith("projects-"):
        projects = cluster_page.projects(request.user, cluster)
    if not wanted or wanted.startswith("chains-"):
        chains, chains_chart = cluster_page.chains(request.user, cluster)
    charts = [*(trends.charts if trends else []), *(member_charts or []), *([projects.chart] if projects else []),
              *([chains_chart] if chains_chart else [])]
    download = chart_download(request, charts, subject=cluster.name)
    if download is not None:
        return download
    target_rows = cluster_page.target_lights(request.user, cluster)
    return render(request, "clusters/detail.html", {
        "cluster": cluster,
        "memberships": memberships,
        "member_charts": member_charts,
        "trends": trends,
        "targets": target_rows,
        "target_counts": [c for c in status_counts(target_rows) if c[2]],
        "projects": projects,
        "chains": chains,
        "chains_chart": chains_chart,
        "evaluations": cluster_page.evaluations(request.user, cluster),
        "tier_changes": cluster_page.tier_history(request.user, cluster),
        "can_edit": can_edit_cluster(request.user, cluster),
        "can_propose": can_propose_cluster_change(request.user, cluster),
        "proposals": cluster.proposals.filter(state=ProposalState.PENDING),
    })


@login_required
def cluster_create_view(request: HttpRequest) -> HttpResponse:
    if not can_create_in_region(request.user, request.user.region_id or ""):
        raise Http404
    form = ClusterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cluster = cluster_create(
                actor=request.user, programme=data["programme"], code=data["code"], name=data["name"],
                kind=data["kind"], tier=data["tier"], status=data["status"], regions=data["regions"],
                zones=data["zones"], industry=data["industry"], industry_codes=data["industry_codes"],
                promotion_org=data["promotion_org"], chief=data["chief"], description=data["description"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已新增集群“%(name)s”") % {"name": cluster.name})
            return redirect("clusters:detail", pk=cluster.pk)
    return render(request, "clusters/form.html", {"form": form})


@login_required
def cluster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=pk)
    if not can_edit_cluster(request.user, cluster):
        if request.method == "POST":  # a write on a cluster it sees: refused (403), not hidden
            raise PermissionDenied(_("您无权修改该集群：跨市集群由省级维护，只读角色不能修改。"))
        messages.error(request, _("您无权修改该集群：跨市集群由省级维护，只读角色不能修改。"))
        return redirect("clusters:detail", pk=pk)
    form = ClusterForm(request.POST or None, instance=cluster, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fresh = Cluster.objects.get(pk=pk)  # the form has already written its values onto `cluster`
        try:
            cluster_update(
                actor=request.user, cluster=fresh, regions=data["regions"], zones=data["zones"],
                basis=data["basis"], base_version=data["version"], **{f: data[f] for f in ("name", "kind", "tier", "status", "industry",
                                                             "industry_codes", "promotion_org", "chief",
                                                             "description")},
            )
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("clusters:detail", pk=pk)
    return render(request, "clusters/form.html", {"form": form, "cluster": cluster})


def _form_error(form: forms.Form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form, on the field it names when the form has that field."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc))
        return
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, messages_ in errors.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
def cluster_propose(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the province to change a cluster's tier, status or regions."""
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=pk)
    if not can_propose_cluster_change(request.user, cluster):
        refusal = _("您无权为该集群提交变更申请：只有负责该集群的市县用户或集群促进机构可以申请。")
        if request.method == "POST":  # a write on a cluster it sees: refused (403), not hidden
            raise PermissionDenied(refusal)
        messages.error(request, refusal)
        return redirect("clusters:detail", pk=pk)
    form = ClusterProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cluster_proposal_create(actor=request.user, cluster=cluster, reason=data["reason"], tier=data["tier"],
                                    status=data["status"], regions=data["regions"])
        except (ValidationError, PermissionDenied) as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("变更申请已提交，待省级审核"))
            return redirect("clusters:detail", pk=pk)
    return render(request, "clusters/propose.html", {"form": form, "cluster": cluster})


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Proposals on the clusters the user sees; the province approves or rejects the pending ones."""
    proposals = ClusterProposal.objects.filter(
        cluster__in=Cluster.objects.for_user(request.user)
    ).select_related("cluster").prefetch_related("regions")
    state = request.GET.get("state", ProposalState.PENDING)
    if state in ProposalState.values:
        proposals = proposals.filter(state=state)
    return render(request, "clusters/proposals.html", {
        "proposals": proposals[:200], "state": state, "states": ProposalState.choices,
        "can_decide": can_decide_cluster_standing(request.user), "form": ProposalDecisionForm(),
    })


@login_required
@require_POST
def proposal_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve (which carries the change out) or reject a proposal."""
    proposal = get_object_or_404(
        ClusterProposal.objects.filter(cluster__in=Cluster.objects.for_user(request.user)), pk=pk
    )
    if not can_decide_cluster_standing(request.user):
        raise PermissionDenied(standing_denied_message())
    form = ProposalDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decisions = {"approve": (cluster_proposal_approve, ProposalState.APPROVED),
                 "reject": (cluster_proposal_reject, ProposalState.REJECTED)}
    if decision not in decisions:
        raise Http404
    service, outcome = decisions[decision]
    try:
        service(actor=request.user, proposal=proposal, note=note)
    except (ValidationError, PermissionDenied) as exc:
        detail = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, _("申请 #%(id)s 未处理：%(detail)s") % {"id": proposal.pk, "detail": detail})
    else:
        messages.success(request, _("申请 #%(id)s 已%(state)s") % {"id": proposal.pk, "state": outcome.label})
    return redirect("clusters:proposals")


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """复核名单: the reviews of the clusters the user sees, due, overdue and decided; the province decides."""
    form = ReviewFilterForm(request.GET or None)
    as_of = (form.cleaned_data["as_of"] if form.is_valid() else None) or datetime.date.today()
    reviews = reviews_listed(request.user, as_of, REVIEW_HORIZON)  # a read: due reviews are not recorded here
    groups = {state: [] for state in REVIEW_STATES}
    for review in reviews:
        groups[review_state(review, as_of)].append(review)
    return render(request, "clusters/reviews.html", {
        "form": form, "as_of": as_of, "can_decide": can_decide_cluster_standing(request.user),
        "groups": [(state, REVIEW_STATES[state], groups[state]) for state in ("overdue", "due", "decided")],
        "decision_form": ReviewDecisionForm(),
    })


@login_required
@require_POST
def review_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a review's outcome; it moves the cluster's status or tier with the review as the basis."""
    review = get_object_or_404(Review.objects.for_user(request.user).select_related("cluster"), pk=pk)
    if not can_decide_cluster_standing(request.user):
        raise PermissionDenied(standing_denied_message())
    form = ReviewDecisionForm(request.POST)
    if not form.is_valid():
        detail = "；".join(f"{form.fields[f].label if f in form.fields else ''}{'：' if f in form.fields else ''}{m}"
                          for f, ms in form.errors.items() for m in ms)
        messages.error(request, _("复核 #%(id)s（%(cluster)s）未决定：%(detail)s") % {
            "id": review.pk, "cluster": review.cluster.name, "detail": detail})
        return redirect("clusters:reviews")
    try:
        review_decide(actor=request.user, review=review, outcome=form.cleaned_data["outcome"],
                      basis=form.cleaned_data["basis"])
    except (ValidationError, PermissionDenied) as exc:
        detail = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, _("复核 #%(id)s（%(cluster)s）未决定：%(detail)s") % {
            "id": review.pk, "cluster": review.cluster.name, "detail": detail})
    else:
        messages.success(request, _("复核 #%(id)s（%(cluster)s）结论已记录：%(outcome)s") % {
            "id": review.pk, "cluster": review.cluster.name,
            "outcome": ReviewOutcome(form.cleaned_data["outcome"]).label})
    return redirect("clusters:reviews")


@login_required
@require_POST
def review_decide_due_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide a cluster's review that is due but not on file yet; the review is recorded with the decision."""
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=pk)
    if not can_decide_cluster_standing(request.user):
        raise PermissionDenied(standing_denied_message())
    form = ReviewDecisionForm(request.POST)
    due_on = ReviewFilterForm({"as_of": request.POST.get("due_on", "")})
    if not form.is_valid() or not due_on.is_valid():
        errors = list(form.errors.items()) + [(_("复核到期日"), ms) for ms in due_on.errors.values()]
        detail = "；".join(f"{form.fields[f].label if f in form.fields else f}：{m}" for f, ms in errors for m in ms)
        messages.error(request, _("集群“%(cluster)s”的复核未决定：%(detail)s") % {"cluster": cluster.name, "detail": detail})
        return redirect("clusters:reviews")
    try:
        review = review_decide_due(actor=request.user, cluster=cluster, outcome=form.cleaned_data["outcome"],
                                   basis=form.cleaned_data["basis"], due_on=due_on.cleaned_data["as_of"])
    except (ValidationError, PermissionDenied) as exc:
        detail = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, _("集群“%(cluster)s”的复核未决定：%(detail)s") % {"cluster": cluster.name, "detail": detail})
    else:
        messages.success(request, _("复核 #%(id)s（%(cluster)s）结论已记录：%(outcome)s") % {
            "id": review.pk, "cluster": cluster.name, "outcome": ReviewOutcome(review.outcome).label})
    return redirect("clusters:reviews")
