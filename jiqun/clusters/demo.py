"""Demo recognitions: two SD-2023-185 clusters recorded as provincial in late 2023, so the 复核名单 has work.

The packs name no provincial cluster with a recognition date (JN-2020-231's are city tier, SD-SEI-2020's
national), so the demo records two, each basis labelled 演示数据; one review is overdue, one comes up soon.
"""

import datetime

from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.clusters.services import cluster_change_status, cluster_change_tier, reviews_due

# cluster code in SD-2023-185, the (fictitious) recognition date
RECOGNITIONS = [
    ("new-energy-equipment", datetime.date(2023, 11, 30)),
    ("intelligent-manufacturing-equipment", datetime.date(2023, 12, 20)),
]
BASIS = "演示数据：省级先进制造业集群认定（无真实文号）"


def demo_reviews_generate() -> int:
    """Record the two demo recognitions once, then the reviews that have come up; returns the reviews added."""
    for code, day in RECOGNITIONS:
        cluster = Cluster.objects.filter(programme__code="SD-2023-185", code=code).first()
        if cluster is None or cluster.tier or cluster.tier_changes.filter(effective_on__gt=day).exists():
            continue
        cluster_change_tier(actor=None, cluster=cluster, tier=Tier.PROVINCIAL, basis=BASIS, effective_on=day)
        if cluster.status == ClusterStatus.CULTIVATING:
            cluster_change_status(actor=None, cluster=cluster, status=ClusterStatus.RECOGNISED, basis=BASIS,
                                  effective_on=day)
    return len(reviews_due())
