from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from jiqun.clusters.models import Cluster, Tier
from jiqun.enterprises.models import Enterprise
from jiqun.programmes.models import Programme


@login_required
def home(request: HttpRequest) -> HttpResponse:
    clusters = Cluster.objects.for_user(request.user)
    tier_counts = dict(
        Cluster.objects.filter(pk__in=clusters.values("pk")).values_list("tier").annotate(n=Count("pk"))
    )
    context = {
        "cluster_count": clusters.count(),
        "enterprise_count": Enterprise.objects.for_user(request.user).count(),
        "tiers": [(label, tier_counts.get(value, 0)) for value, label in Tier.choices],
        "programmes": Programme.objects.annotate(n_targets=Count("targets", distinct=True),
                                                 n_clusters=Count("clusters", distinct=True)),
    }
    return render(request, "core/home.html", context)
