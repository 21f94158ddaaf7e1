"""Writes to the cluster registry. Each is atomic, validated and audited."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record, snapshot
from jiqun.clusters.models import Cluster, ClusterStatus, TierChange, split_codes
from jiqun.core.stale import changes_since, stale_edit
from jiqun.regions.models import Region, Zone

EDITABLE_FIELDS = [
    "name", "kind", "tier", "status", "industry", "industry_codes", "promotion_org", "chief", "description",
]


@transaction.atomic
def cluster_create(
    *,
    actor,
    programme,
    code: str,
    name: str,
    regions: Iterable[Region],
    kind=None,
    tier: str = "",
    status: str = ClusterStatus.CULTIVATING,
    zones: Iterable[Zone] = (),
    industry: str = "",
    industry_codes: str = "",
    promotion_org: str = "",
    chief: str = "",
    description: str = "",
    clause: str = "",
    quote: str = "",
) -> Cluster:
    cluster = Cluster(
        programme=programme, code=code, name=name, kind=kind, tier=tier, status=status, industry=industry,
        industry_codes=",".join(split_codes(industry_codes)), promotion_org=promotion_org, chief=chief,
        description=description, clause=clause, quote=quote,
    )
    cluster.full_clean()
    cluster.save()
    cluster.regions.set(regions)
    cluster.zones.set(zones)
    TierChange.objects.create(
        cluster=cluster, tier=tier, status=status, effective_on=datetime.date.today(),
        basis=f"{programme.document_number} {clause}".strip(), recorded_by=getattr(actor, "username", ""),
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=cluster, after=snapshot(cluster))
    return cluster


@transaction.atomic
def cluster_update(
    *,
    actor,
    cluster: Cluster,
    regions: Iterable[Region] | None = None,
    zones: Iterable[Zone] | None = None,
    basis: str = "",
    base_version: int | None = None,
    **changes,
) -> Cluster:
    """Change a cluster's profile; a change of tier or status is also written to its tier history.

    `base_version` is the version the user's form or request was based on (forms and the API always give it):
    a later version on file refuses the edit (StaleEdit) naming who changed what since.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"cluster_update() got fields it cannot change: {sorted(unknown)}")
    current = Cluster.objects.select_for_update().get(pk=cluster.pk)  # two edits must not both pass the check
    if base_version is not None and base_version != current.version:
        raise stale_edit(kind=_("集群"), changes=changes_since(current, base_version))
    cluster.version = current.version
    before = snapshot(cluster)
    if "industry_codes" in changes:
        changes["industry_codes"] = ",".join(split_codes(changes["industry_codes"]))
    for field, value in changes.items():
        setattr(cluster, field, value)
    cluster.full_clean()
    cluster.save()
    if regions is not None:
        cluster.regions.set(regions)
    if zones is not None:
        cluster.zones.set(zones)
    if before["tier"] != cluster.tier or before["status"] != cluster.status:
        TierChange.objects.create(
            cluster=cluster, tier=cluster.tier, status=cluster.status, effective_on=datetime.date.today(),
            basis=basis, recorded_by=getattr(actor, "username", ""),
        )
    after = snapshot(cluster)
    if after != before:
        cluster.version = current.version + 1
        Cluster.objects.filter(pk=cluster.pk).update(version=cluster.version)
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=cluster, before={**before, "version": current.version},
                     after={**after, "version": cluster.version})
    return cluster
