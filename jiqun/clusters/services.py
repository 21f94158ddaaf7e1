"""Writes to the cluster registry. Each is atomic, validated and audited.

A cluster's standing (tier, status, regions) is decided by the province only: the moves allowed are the
tables below, each move has its own service and writes one event. Those below the province propose a
change (ClusterProposal); approving it runs the same services.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.accounts.permissions import can_decide_cluster_standing, can_propose_cluster_change
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record, snapshot
from jiqun.clusters.models import (
    Cluster,
    ClusterProposal,
    ClusterStatus,
    ProposalState,
    Review,
    ReviewOutcome,
    Tier,
    TierChange,
    split_codes,
)
from jiqun.clusters.selectors import reviews_coming
from jiqun.core.stale import changes_since, stale_edit
from jiqun.core.text import control_character_error
from jiqun.dashboards.summaries import summaries_changed
from jiqun.regions.models import Region, Zone

EDITABLE_FIELDS = [
    "name", "kind", "tier", "status", "industry", "industry_codes", "promotion_org", "chief", "description",
]
STANDING_FIELDS = ("tier", "status", "regions")

S = ClusterStatus
# 培育 → 认定 → 预警 → 认定 again or 退出; an exited cluster comes back only by a new cultivation decision.
STATUS_MOVES: dict[str, frozenset[str]] = {
    S.CULTIVATING: frozenset({S.RECOGNISED, S.EXITED}),
    S.RECOGNISED: frozenset({S.WARNED, S.EXITED}),
    S.WARNED: frozenset({S.RECOGNISED, S.EXITED}),
    S.EXITED: frozenset({S.CULTIVATING}),
}
# Up to any higher tier (a national recognition may skip the provincial one); down one step after a
# re-evaluation; "" removes the tier.
TIER_MOVES: dict[str, frozenset[str]] = {
    "": frozenset({Tier.CITY, Tier.PROVINCIAL, Tier.NATIONAL, Tier.WORLD}),
    Tier.CITY: frozenset({Tier.PROVINCIAL, Tier.NATIONAL, Tier.WORLD, ""}),
    Tier.PROVINCIAL: frozenset({Tier.NATIONAL, Tier.WORLD, Tier.CITY, ""}),
    Tier.NATIONAL: frozenset({Tier.WORLD, Tier.PROVINCIAL, ""}),
    Tier.WORLD: frozenset({Tier.NATIONAL, ""}),
}
PROPOSAL_MOVES: dict[str, frozenset[str]] = {
    ProposalState.PENDING: frozenset({ProposalState.APPROVED, ProposalState.REJECTED}),
    ProposalState.APPROVED: frozenset(),
    ProposalState.REJECTED: frozenset(),
}


def standing_denied_message() -> str:
    """The refusal shown to anyone below the province who tries to change a cluster's standing."""
    return _("集群的层级、状态和所在区划由省级管理员决定，您无权直接修改；请在集群页面“申请变更”提交理由，由省级审核。")


def _require_standing_decider(actor) -> None:
    """Refuse unless the actor is the province (None is the system itself: loaders and commands)."""
    if actor is not None and not can_decide_cluster_standing(actor):
        raise PermissionDenied(standing_denied_message())


def _require_basis(basis: str) -> str:
    basis = (basis or "").strip()
    if not basis:
        raise ValidationError({"basis": [_("变更层级、状态或所在区划须填写依据（文件、条款或评审结果）")]})
    return basis


def _region_codes(regions: Iterable[Region]) -> list[str]:
    return sorted(str(getattr(r, "pk", r)) for r in regions)


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
    """Register a cluster; below the province it starts untiered and 培育, the province recognises it later."""
    if actor is not None and not can_decide_cluster_standing(actor) and (tier or status != S.CULTIVATING):
        raise PermissionDenied(standing_denied_message())
    regions = list(regions)
    if not regions:
        raise ValidationError({"regions": [_("集群至少要有一个所在区划")]})
    cluster = Cluster(
        programme=programme, code=code, name=name, kind=kind, tier=tier, status=status, industry=industry,
        industry_codes=",".join(split_codes(industry_codes)), promotion_org=promotion_org, chief=chief,
        description=description, clause=clause, quote=quote,
    )
    cluster.full_clean()
    cluster.save()
    cluster.regions.set(regions)
    cluster.zones.set(zones)
    summaries_changed(programme.pk)  # a new subject of the programme's dashboards
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
    """Change a cluster's profile; a change of tier, status or regions runs the province's move services.

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
    tier = changes.pop("tier", cluster.tier)
    status = changes.pop("status", cluster.status)
    regions = list(regions) if regions is not None else None
    moves_regions = regions is not None and _region_codes(regions) != _region_codes(cluster.regions.all())
    if tier != cluster.tier or status != cluster.status or moves_regions:
        _require_standing_decider(actor)
    before = snapshot(cluster)
    if "industry_codes" in changes:
        changes["industry_codes"] = ",".join(split_codes(changes["industry_codes"]))
    for field, value in changes.items():
        setattr(cluster, field, value)
    cluster.full_clean()
    cluster.save()
    if zones is not None:
        cluster.zones.set(zones)
        summaries_changed(cluster.programme_id)  # its parks' totals
    after = snapshot(cluster)
    if after != before:
        cluster.version = current.version + 1
        Cluster.objects.filter(pk=cluster.pk).update(version=cluster.version)
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=cluster, before={**before, "version": current.version},
                     after={**after, "version": cluster.version})
    if tier != cluster.tier:
        cluster_change_tier(actor=actor, cluster=cluster, tier=tier, basis=basis)
    if status != cluster.status:
        cluster_change_status(actor=actor, cluster=cluster, status=status, basis=basis)
    if moves_regions:
        cluster_change_regions(actor=actor, cluster=cluster, regions=regions, basis=basis)
    return cluster


def _raise_version(locked: Cluster) -> int:
    """Count a move as an edit, so a form opened before it is refused as stale; `locked` is row-locked."""
    Cluster.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    return locked.version + 1


def _effective_on(cluster: Cluster, day: datetime.date | None) -> datetime.date:
    """The date a move takes effect: today, or an earlier recorded decision's date that keeps the history in order."""
    today = datetime.date.today()
    if day is None:
        return today
    last = cluster.tier_changes.order_by("-effective_on").values_list("effective_on", flat=True).first()
    if day > today or (last is not None and day < last):
        raise ValidationError({"effective_on": [_("生效日期 %(day)s 无效：须不晚于今天，且不早于该集群最近一次层级变更（%(last)s）") % {
            "day": day, "last": last or "—"}]})
    return day


def _move_standing(*, actor, cluster: Cluster, field: str, value: str, moves: dict[str, frozenset[str]],
                   basis: str, effective_on: datetime.date | None = None) -> Cluster:
    """Move tier or status one step of its table, with a tier-history row and an audit entry."""
    _require_standing_decider(actor)
    basis = _require_basis(basis)
    locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
    recorded_on = effective_on
    effective_on = _effective_on(locked, effective_on)
    current = getattr(locked, field)
    if value not in moves.get(current, frozenset()):
        label = Cluster._meta.get_field(field).verbose_name
        choices = dict(Cluster._meta.get_field(field).choices)
        raise ValidationError({field: [_("%(label)s不能从“%(old)s”变为“%(new)s”") % {
            "label": label, "old": choices.get(current, _("未定")), "new": choices.get(value, value or _("未定")),
        }]})
    setattr(locked, field, value)
    locked.full_clean()
    locked.save(update_fields=[field])
    setattr(cluster, field, value)
    version = _raise_version(locked)
    cluster.version = version
    TierChange.objects.create(
        cluster=locked, tier=locked.tier, status=locked.status, effective_on=effective_on,
        basis=basis[:200], recorded_by=getattr(actor, "username", ""),
    )
    after = {field: value, "basis": basis, "version": version}
    if recorded_on is not None:
        after["effective_on"] = effective_on.isoformat()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before={field: current, "version": version - 1},
                 after=after)
    return cluster


@transaction.atomic
def cluster_change_tier(*, actor, cluster: Cluster, tier: str, basis: str,
                        effective_on: datetime.date | None = None) -> Cluster:
    """Move a cluster to another tier as TIER_MOVES allows; the province only.

    `effective_on` records a decision taken earlier (a recognition document's date); it is never in the future
    nor before the cluster's last recorded step.
    """
    return _move_standing(actor=actor, cluster=cluster, field="tier", value=tier, moves=TIER_MOVES, basis=basis,
                          effective_on=effective_on)


@transaction.atomic
def cluster_change_status(*, actor, cluster: Cluster, status: str, basis: str,
                          effective_on: datetime.date | None = None) -> Cluster:
    """Move a cluster to another status (培育/认定/预警/退出) as STATUS_MOVES allows; the province only."""
    return _move_standing(actor=actor, cluster=cluster, field="status", value=status, moves=STATUS_MOVES,
                          basis=basis, effective_on=effective_on)


@transaction.atomic
def cluster_change_regions(*, actor, cluster: Cluster, regions: Iterable[Region], basis: str) -> Cluster:
    """Place a cluster in other regions; it always keeps at least one. The province only."""
    _require_standing_decider(actor)
    regions = list(regions)
    if not regions:
        raise ValidationError({"regions": [_("集群至少保留一个所在区划，不能全部移除")]})
    basis = _require_basis(basis)
    locked = Cluster.objects.select_for_update().get(pk=cluster.pk)
    before = _region_codes(locked.regions.all())
    locked.regions.set(regions)
    summaries_changed(locked.programme_id)  # the totals of the regions it left and joined
    version = _raise_version(locked)
    cluster.version = version
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked,
                 before={"regions": before, "version": version - 1},
                 after={"regions": _region_codes(regions), "basis": basis, "version": version})
    return cluster


# Proposals from below the province --------------------------------------------------------------------

@transaction.atomic
def cluster_proposal_create(
    *,
    actor,
    cluster: Cluster,
    reason: str,
    tier: str = "",
    status: str = "",
    regions: Iterable[Region] = (),
) -> ClusterProposal:
    """Propose a new tier, status or regions for a cluster the actor keeps; the province decides."""
    if actor is not None and not can_propose_cluster_change(actor, cluster):  # None: a rule the system runs
        raise PermissionDenied(_("您无权为该集群提交变更申请：只有负责该集群的市县用户或集群促进机构可以申请。"))
    regions = list(regions)
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("请填写申请理由")]
    if tier == cluster.tier:
        tier = ""
    if status == cluster.status:
        status = ""
    if regions and _region_codes(regions) == _region_codes(cluster.regions.all()):
        regions = []
    if not (tier or status or regions):
        errors.setdefault("__all__", []).append(_("申请未提出任何变更：请选择新的层级、状态或所在区划"))
    if tier and tier not in TIER_MOVES.get(cluster.tier, frozenset()):
        errors["tier"] = [_("层级不能从“%(old)s”变为“%(new)s”") % {
            "old": cluster.get_tier_display() or _("未定"), "new": Tier(tier).label}]
    if status and status not in STATUS_MOVES.get(cluster.status, frozenset()):
        errors["status"] = [_("状态不能从“%(old)s”变为“%(new)s”") % {
            "old": cluster.get_status_display(), "new": ClusterStatus(status).label}]
    if errors:
        raise ValidationError(errors)
    proposal = ClusterProposal(cluster=cluster, tier=tier, status=status, reason=reason.strip(), proposer=actor,
                               proposer_name=getattr(actor, "username", "") or _("系统"))
    proposal.full_clean(exclude=["proposer"] if actor is None else None)
    proposal.save()
    proposal.regions.set(regions)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=proposal, after={
        "cluster": cluster.pk, "tier": tier, "status": status, "regions": _region_codes(regions), "reason": reason,
    })
    return proposal


def _proposal_decide(*, actor, proposal: ClusterProposal, state: str, note: str) -> ClusterProposal:
    _require_standing_decider(actor)
    locked = ClusterProposal.objects.select_for_update().get(pk=proposal.pk)
    if state not in PROPOSAL_MOVES[locked.state]:
        raise ValidationError(_("该申请已%(state)s，不能再审核") % {"state": locked.get_state_display()})
    before = locked.state
    locked.state = state
    locked.decided_by = getattr(actor, "username", "")
    locked.decided_at = timezone.now()
    locked.decision_note = note
    locked.full_clean(exclude=["proposer"])  # unchanged here; None for a proposal the system made
    locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before={"state": before},
                 after={"state": state, "note": note})
    return locked


@transaction.atomic
def cluster_proposal_approve(*, actor, proposal: ClusterProposal, note: str = "") -> ClusterProposal:
    """Approve a pending proposal and carry it out through the move services; the province only."""
    decided = _proposal_decide(actor=actor, proposal=proposal, state=ProposalState.APPROVED, note=note)
    cluster = Cluster.objects.get(pk=decided.cluster_id)
    basis = _("变更申请 #%(id)s（%(who)s）：%(reason)s") % {
        "id": decided.pk, "who": decided.proposer_name, "reason": decided.reason}
    if decided.tier and decided.tier != cluster.tier:
        cluster_change_tier(actor=actor, cluster=cluster, tier=decided.tier, basis=basis)
    if decided.status and decided.status != cluster.status:
        cluster_change_status(actor=actor, cluster=cluster, status=decided.status, basis=basis)
    regions = list(decided.regions.all())
    if regions:
        cluster_change_regions(actor=actor, cluster=cluster, regions=regions, basis=basis)
    return decided


@transaction.atomic
def cluster_proposal_reject(*, actor, proposal: ClusterProposal, note: str) -> ClusterProposal:
    """Reject a pending proposal with a reason; the cluster stays as it is. The province only."""
    if not (note or "").strip():
        _require_standing_decider(actor)
        raise ValidationError({"note": [_("驳回须填写理由")]})
    return _proposal_decide(actor=actor, proposal=proposal, state=ProposalState.REJECTED, note=note.strip())


# 复核: provincial clusters reviewed three years after recognition ------------------------------------------

REVIEW_HORIZON = datetime.timedelta(days=180)  # reviews due within half a year are listed ahead


@transaction.atomic
def reviews_due(*, as_of: datetime.date | None = None,
                horizon: datetime.timedelta = REVIEW_HORIZON) -> list[Review]:
    """Record the reviews provincial clusters come up for by `as_of + horizon`, from their tier history.

    A system write (no actor): each review it adds is audited; reviews already on file are kept. Returns the
    reviews it added.
    """
    as_of = as_of or datetime.date.today()
    added = []
    for coming in reviews_coming(as_of, horizon):
        review, created = Review.objects.get_or_create(
            cluster_id=coming.cluster_id, due_on=coming.due_on, defaults={"recognised_on": coming.recognised_on})
        if created:
            audit_record(actor=None, action=AuditAction.CREATE, obj=review, after={
                "cluster": coming.cluster_id, "recognised_on": coming.recognised_on.isoformat(),
                "due_on": coming.due_on.isoformat()})
            added.append(review)
    return added


def review_basis(review: Review, basis: str) -> str:
    """The basis written into the tier history: the review, its outcome and the province's reasons."""
    return _("复核 #%(id)s（%(due)s 到期）结论：%(outcome)s。%(basis)s") % {
        "id": review.pk, "due": review.due_on, "outcome": ReviewOutcome(review.outcome).label, "basis": basis}


REVIEW_BASIS_LENGTH = 150  # with "复核 #id（due）结论：…" before it, within the tier history's 200 characters


@transaction.atomic
def review_decide(*, actor, review: Review, outcome: str, basis: str) -> Review:
    """Record a review's outcome and apply it to the cluster through the move services; the province only.

    kept: a warned cluster is recognised again (认定); warned: 预警; withdrawn: the provincial tier is removed and
    the cluster exits (退出). Each move's basis is the review.
    """
    _require_standing_decider(actor)
    locked = Review.objects.select_for_update().select_related("cluster").get(pk=review.pk)
    errors: dict[str, list[str]] = {}
    if locked.outcome:
        errors["__all__"] = [_("复核 #%(id)s 已于 %(at)s 作出结论“%(outcome)s”，不能再次决定") % {
            "id": locked.pk, "at": timezone.localtime(locked.decided_at).strftime("%Y-%m-%d"),
            "outcome": locked.get_outcome_display()}]
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = [_("复核结论“%(value)s”无效，应为 kept（保留）、warned（预警）或 withdrawn（撤销）") % {
            "value": outcome}]
    basis = (basis or "").strip()
    if not basis:
        errors["basis"] = [_("请填写复核依据（评审意见、文件或会议纪要）")]
    elif len(basis) > REVIEW_BASIS_LENGTH:
        # The tier history keeps the basis whole, with the review named before it (review_basis).
        errors["basis"] = [_("复核依据最多 %(n)s 个字符（现为 %(length)s 个），请精简或写明文件名称和文号")
                           % {"n": REVIEW_BASIS_LENGTH, "length": len(basis)}]
    else:
        problem = control_character_error(basis, _("复核依据"))
        if problem:
            errors["basis"] = [problem]
    if errors:
        raise ValidationError(errors)
    locked.outcome = outcome
    locked.basis = basis.strip()
    locked.decided_by = getattr(actor, "username", "")
    locked.decided_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["outcome", "basis", "decided_by", "decided_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before={"outcome": ""},
                 after={"outcome": outcome, "basis": locked.basis})
    cluster = Cluster.objects.get(pk=locked.cluster_id)
    moved_basis = review_basis(locked, locked.basis)
    if outcome == ReviewOutcome.KEPT and cluster.status == S.WARNED:
        cluster_change_status(actor=actor, cluster=cluster, status=S.RECOGNISED, basis=moved_basis)
    elif outcome == ReviewOutcome.WARNED and cluster.status != S.WARNED:
        cluster_change_status(actor=actor, cluster=cluster, status=S.WARNED, basis=moved_basis)
    elif outcome == ReviewOutcome.WITHDRAWN:
        if cluster.tier:
            cluster_change_tier(actor=actor, cluster=cluster, tier="", basis=moved_basis)
        if cluster.status != S.EXITED:
            cluster_change_status(actor=actor, cluster=cluster, status=S.EXITED, basis=moved_basis)
    return locked


@transaction.atomic
def review_decide_due(*, actor, cluster: Cluster, outcome: str, basis: str, due_on: datetime.date | None = None,
                      today: datetime.date | None = None) -> Review:
    """Decide a review that is due but not on file yet: record it (audited), then `review_decide` it, in one
    transaction, so a refused decision leaves no row behind. `due_on`, when given, must be the due date the
    decider saw listed. The province only."""
    from jiqun.clusters.selectors import review_coming_for

    _require_standing_decider(actor)
    today = today or datetime.date.today()
    coming = review_coming_for(cluster.pk, today, REVIEW_HORIZON)
    if coming is None or (due_on is not None and coming.due_on != due_on):
        raise ValidationError(_("集群“%(cluster)s”%(due)s没有待记录的复核（可能已由他人决定，请刷新名单）") % {
            "cluster": cluster.name, "due": _("在 %(day)s ") % {"day": due_on} if due_on else ""})
    review = Review.objects.create(cluster_id=cluster.pk, due_on=coming.due_on, recognised_on=coming.recognised_on)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=review, after={
        "cluster": cluster.pk, "recognised_on": coming.recognised_on.isoformat(), "due_on": coming.due_on.isoformat()})
    return review_decide(actor=actor, review=review, outcome=outcome, basis=basis)
