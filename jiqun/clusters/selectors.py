"""Reads of the cluster registry that other apps build on.

The tier of a cluster on a date is decided here only (`TierHistory.on`): targets, counts and dashboards ask
this module rather than reading `Cluster.tier`, which is only today's tier.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

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


REVIEW_YEARS = 3  # 鲁政办字〔2023〕185号 三(四): provincial clusters are reviewed every three years


def review_years(evaluation: dict | None) -> int:
    """The review cycle a programme's pack states (`evaluation.review_cycle_years`: recognition valid N years,
    re-reviewed in year N), else REVIEW_YEARS."""
    return (evaluation or {}).get("review_cycle_years") or REVIEW_YEARS


def years_after(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def provincial_since(history: TierHistory, day: datetime.date) -> datetime.date | None:
    """The date the provincial tier held on `day` began (the recognition a 复核 counts from); None if not held.

    A step that repeats the provincial tier (a status move writes the tier again) does not restart the spell.
    """
    if history.on(day) != "provincial":
        return None
    if not history.steps:
        return history.recognised_on
    since = None
    for effective_on, tier in history.steps:
        if effective_on > day:
            break
        if tier != "provincial":
            since = None
        elif since is None:
            since = effective_on
    return since


@dataclass(frozen=True)
class DueReview:
    """A review a provincial cluster comes up for: counted from `recognised_on`, due on `due_on`."""

    cluster_id: int
    recognised_on: datetime.date
    due_on: datetime.date


def reviews_coming(as_of: datetime.date, horizon: datetime.timedelta) -> list[DueReview]:
    """The next review of every cluster provincial on `as_of`, if due by `as_of + horizon`.

    The first comes N years after the cluster became provincial, each later one N years after the previous due
    date, N the programme's review cycle (`review_years`, three by default); a cluster whose review is still undecided comes up for nothing new.
    """
    from jiqun.clusters.models import Review

    provincial = set(TierChange.objects.filter(tier="provincial").values_list("cluster_id", flat=True))
    provincial |= set(Cluster.objects.filter(tier="provincial").values_list("pk", flat=True))
    histories = tier_histories(provincial)
    cycles = {pk: review_years(evaluation) for pk, evaluation in
              Cluster.objects.filter(pk__in=provincial).values_list("pk", "programme__evaluation")}
    reviews: dict[int, list[tuple[datetime.date, str]]] = {}
    for cluster_id, due_on, outcome in Review.objects.filter(cluster_id__in=provincial).values_list(
            "cluster_id", "due_on", "outcome"):
        reviews.setdefault(cluster_id, []).append((due_on, outcome))
    coming = []
    for cluster_id, history in sorted(histories.items()):
        since = provincial_since(history, as_of)
        if since is None:
            continue
        spell = sorted(r for r in reviews.get(cluster_id, []) if r[0] > since)
        if any(not outcome for _due, outcome in spell):
            continue
        due_on = years_after(spell[-1][0] if spell else since, cycles.get(cluster_id, REVIEW_YEARS))
        if due_on <= as_of + horizon:
            coming.append(DueReview(cluster_id, since, due_on))
    return coming


def review_state(review, as_of: datetime.date) -> str:
    """"decided" once an outcome is recorded; else "overdue" past its due date, or "due"."""
    if review.outcome:
        return "decided"
    return "overdue" if review.due_on < as_of else "due"


REVIEW_STATES = {"due": _("待复核"), "overdue": _("已逾期"), "decided": _("已决定")}


def review_data(review, as_of: datetime.date) -> dict:
    """A review as plain data, for the CLI's JSON and the API."""
    return {
        "id": review.pk, "cluster": review.cluster_id, "cluster_name": review.cluster.name,
        "programme": review.cluster.programme.code, "recognised_on": review.recognised_on,
        "due_on": review.due_on, "state": review_state(review, as_of), "outcome": review.outcome,
        "basis": review.basis, "decided_by": review.decided_by, "decided_at": review.decided_at,
    }


def reviews_listed(user, as_of: datetime.date, horizon: datetime.timedelta) -> list:
    """The 复核 lines the user sees on `as_of`, computed as a read: the reviews on file, and the reviews due by
    `as_of + horizon` that are not on file yet, as unsaved Review rows (pk None). Nothing is written: a due
    review's row is made when the province decides it (`review_decide_due`) or by `jiqun reviews open`.
    A look at a later date lists nothing ahead of today's due reviews."""
    from jiqun.clusters.models import Review

    reviews = Review.objects.all() if user is None else Review.objects.for_user(user)  # None: the system (CLI)
    on_file = list(reviews.select_related("cluster__programme"))
    known = set(Review.objects.values_list("cluster_id", "due_on"))
    coming = [c for c in reviews_coming(min(as_of, datetime.date.today()), horizon)
              if (c.cluster_id, c.due_on) not in known]
    clusters = Cluster.objects.all() if user is None else Cluster.objects.for_user(user)
    clusters = clusters.select_related("programme").in_bulk([c.cluster_id for c in coming])
    due = [Review(cluster=clusters[c.cluster_id], recognised_on=c.recognised_on, due_on=c.due_on)
           for c in coming if c.cluster_id in clusters]
    return sorted(on_file + due, key=lambda r: (r.due_on, r.cluster_id, r.pk or 0))


def review_coming_for(cluster_id: int, as_of: datetime.date, horizon: datetime.timedelta) -> DueReview | None:
    """The review one cluster comes up for by `as_of + horizon` that is not on file yet, or None."""
    return next((c for c in reviews_coming(as_of, horizon) if c.cluster_id == cluster_id), None)
