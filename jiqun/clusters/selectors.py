"""Reads of the cluster registry that other apps build on.

The tier of a cluster on a date is decided here only (`TierHistory.on`): targets, counts and dashboards ask
this module rather than reading `Cluster.tier`, which is only today's tier.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from jiqun.clusters.models import Cluster, TierChange


@dataclass(frozen=True)
class TierHistory:
    """A cluster's tier steps (effective date, tier), oldest first, and what the registry says today."""

    steps: tuple[tuple[datetime.date, str], ...]
    current: str
    recognised_on: datetime.date | None

    def on(self, day: datetime.date) -> str:
        """The tier held on `day` ("" for none).

        With a history (clusters.TierChange), the last step effective on or before `day`; before the first step
        the cluster was not yet registered, so it had no tier. A cluster without any history (rows written
        before the history existed) falls back to its current tier from `recognised_on` on, or always when
        that date is unknown.
        """
        if self.steps:
            held = ""
            for effective_on, tier in self.steps:
                if effective_on > day:
                    break
                held = tier
            return held
        if self.recognised_on is not None and self.recognised_on > day:
            return ""
        return self.current


def tier_histories(clusters: Iterable[int]) -> dict[int, TierHistory]:
    """The tier history of each cluster (by pk), in two queries."""
    pks = set(clusters)
    steps: dict[int, list[tuple[datetime.date, str]]] = {pk: [] for pk in pks}
    rows = (TierChange.objects.filter(cluster_id__in=pks).order_by("cluster_id", "effective_on", "id")
            .values_list("cluster_id", "effective_on", "tier"))
    for cluster_id, effective_on, tier in rows:
        steps[cluster_id].append((effective_on, tier))
    return {
        pk: TierHistory(tuple(steps[pk]), tier, recognised_on)
        for pk, tier, recognised_on in Cluster.objects.filter(pk__in=pks).values_list("pk", "tier", "recognised_on")
    }


def cluster_tier_on(cluster: Cluster, day: datetime.date) -> str:
    """The tier `cluster` held on `day` ("" for none); the rule is `TierHistory.on`."""
    return tier_histories([cluster.pk])[cluster.pk].on(day)
