"""Clusters and enterprises made through the services, in the regions a test names."""

import itertools

from jiqun.clusters.services import cluster_create
from jiqun.enterprises.services import enterprise_create, membership_set
from jiqun.programmes.models import Programme
from jiqun.regions.models import Region

_counter = itertools.count(1)


def make_cluster(*region_codes: str, name: str | None = None, **fields):
    n = next(_counter)
    return cluster_create(
        actor=None, programme=Programme.objects.order_by("id").first(), code=f"test-{n}",
        name=name or f"测试集群{n}", regions=[Region.objects.get(code=c) for c in region_codes], **fields,
    )


def make_enterprise(region_code: str, name: str | None = None, cluster=None, **fields):
    n = next(_counter)
    enterprise = enterprise_create(
        actor=None, name=name or f"测试企业{n}", region=Region.objects.get(code=region_code), **fields
    )
    if cluster is not None:
        membership_set(actor=None, enterprise=enterprise, cluster=cluster)
    return enterprise
