"""Demo incidents and one demo 中小企业特色产业集群, all labelled 演示数据.

No source names Shandong's provincially recognised 中小企业特色产业集群, so the demo adds one fictitious cluster to
the MIIT-2022-119 programme (recognised provincial when the demo is loaded: its 复核 is due in year three), and three
incidents: a 较大 quality incident of that cluster in 2024 (inside the veto window of the 119 standard), a 一般
safety incident of the cluster organisation's Jining cluster in 2019 (outside every window) and a 较大
environmental incident of a Jinan cluster in 2024.
"""

import datetime

from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.clusters.services import cluster_create
from jiqun.incidents.models import Incident, IncidentKind, Severity
from jiqun.incidents.services import incident_create
from jiqun.programmes.models import Programme
from jiqun.regions.models import Region

DEMO_CLUSTER = "demo-weifang-sme"
DEMO_BASIS = "演示数据：省级中小企业特色产业集群认定（无真实文号）"


def demo_sme_cluster() -> Cluster | None:
    """The demo cluster of MIIT-2022-119, made once and recognised provincial on the day the demo is loaded."""
    programme = Programme.objects.filter(code="MIIT-2022-119").first()
    if programme is None:
        return None
    cluster = Cluster.objects.filter(programme=programme, code=DEMO_CLUSTER).first()
    if cluster is not None:
        return cluster
    return cluster_create(actor=None, programme=programme, code=DEMO_CLUSTER,
                          name="潍坊市寒亭区中小企业特色产业集群（演示）", regions=[Region.objects.get(code="370703")],
                          kind=programme.cluster_kinds.first(), tier=Tier.PROVINCIAL, status=ClusterStatus.RECOGNISED,
                          industry="演示产业", clause=DEMO_BASIS,
                          description="演示数据：虚构的省级中小企业特色产业集群，用于展示认定标准与一票否决")


def demo_incidents_generate() -> int:
    """Record the demo incidents once; returns how many were recorded."""
    if Incident.objects.filter(description__startswith="演示数据").exists():
        return 0
    made = 0
    sme = demo_sme_cluster()
    jining = Cluster.objects.filter(regions__code="370800").order_by("id").first()
    jinan = Cluster.objects.filter(regions__code__startswith="3701").order_by("id").first()
    for cluster, kind, severity, day, document in (
        (sme, IncidentKind.QUALITY, Severity.LARGE, datetime.date(2024, 5, 20), "演示〔2024〕1号"),
        (jining, IncidentKind.SAFETY, Severity.GENERAL, datetime.date(2019, 8, 2), "演示〔2019〕2号"),
        (jinan, IncidentKind.ENVIRONMENT, Severity.LARGE, datetime.date(2024, 9, 15), "演示〔2024〕3号"),
    ):
        if cluster is None:
            continue
        incident_create(actor=None, cluster=cluster, kind=kind, severity=severity, occurred_on=day,
                        description=f"演示数据：虚构的{Severity(severity).label}{IncidentKind(kind).label}，用于展示登记与一票否决",
                        document=document)
        made += 1
    return made
