"""Bonus claims (加分事项): a region's officer files a claim to a bonus item of a region scheme for a year
(e.g. 重大集群项目落地, with the project and the document that proves it); the province decides it: 核定 or
不予核定 with a reason (an approval can later be revoked, with a reason). A run of the scheme counts the 核定
claims of its year and keeps them in its snapshot, so a later decision never changes a stored run.

The moves are the CLAIM_MOVES table (jiqun.evaluation.models); one service and one audit entry per move, each
checking the claim's `version` (StaleEdit when someone decided it meanwhile).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.stale import changes_since, stale_edit
from jiqun.core.text import control_character_error
from jiqun.evaluation.models import CLAIM_MOVES, BonusClaim, ClaimState, Scheme, SubjectKind
from jiqun.evaluation.permissions import can_claim_bonus, can_decide_bonus
from jiqun.regions.models import Region, is_within

FIRST_YEAR, LAST_YEAR = 2000, 2100


@dataclass(frozen=True)
class BonusItem:
    """A bonus item of the latest version of a region scheme."""

    scheme: Scheme
    code: str
    label: str
    points: Decimal
    cap: Decimal
    clause: str

    @property
    def key(self) -> str:
        return f"{self.scheme.code}/{self.code}"

    @property
    def title(self) -> str:
        return _("%(scheme)s · %(label)s（每项 %(points)s 分，上限 %(cap)s 分）") % {
            "scheme": self.scheme.name, "label": self.label, "points": f"{self.points.normalize():f}",
            "cap": f"{self.cap.normalize():f}"}


def bonus_items() -> list[BonusItem]:
    """Every claimable item: those of the latest version of each region scheme with bonus items."""
    latest: dict[str, Scheme] = {}
    for scheme in Scheme.objects.filter(subject_kind=SubjectKind.REGION).order_by("code", "-version"):
        latest.setdefault(scheme.code, scheme)
    return [BonusItem(scheme, b["code"], b["label"], Decimal(b["points"]), Decimal(b["cap"]), b["clause"])
            for scheme in latest.values() for b in (scheme.bonus or {}).get("items", [])
            if b.get("source", "claims") == "claims"]


def bonus_item(key: str) -> BonusItem | None:
    """The item named "scheme-code/item-code", or None."""
    return next((item for item in bonus_items() if item.key == key), None)


def regions_of(scheme: Scheme):
    """The regions a region scheme evaluates."""
    from jiqun.evaluation.region_inputs import scheme_regions

    return scheme_regions(scheme)


def _text(value: str, label: str, limit: int, errors: dict) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(label, []).append(_("请填写%(what)s") % {"what": BonusClaim._meta.get_field(label).verbose_name})
    elif len(value) > limit:
        errors.setdefault(label, []).append(_("%(what)s不能超过 %(n)s 个字") % {
            "what": BonusClaim._meta.get_field(label).verbose_name, "n": limit})
    else:
        problem = control_character_error(value)
        if problem:
            errors.setdefault(label, []).append(problem)
    return value


@transaction.atomic
def bonus_claim_create(*, actor, region: Region, year: int, item: str, description: str,
                       evidence: str) -> BonusClaim:
    """File a claim of `region` to bonus item `item` ("scheme-code/item-code") for `year` (申报)."""
    if actor is not None and not can_claim_bonus(actor, region.code):
        raise PermissionDenied(_("加分事项由本地区（市或县区）的工作人员申报"))
    errors: dict[str, list[str]] = {}
    chosen = bonus_item(item)
    if chosen is None:
        errors["item"] = [_("加分项“%(item)s”不存在（格式：方案编码/加分项编码）") % {"item": item}]
    elif not regions_of(chosen.scheme).filter(code=region.code).exists():
        errors["region"] = [_("%(region)s不在方案“%(scheme)s”的参评地区内") % {
            "region": region.name, "scheme": chosen.scheme.name}]
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        errors["year"] = [_("年度应为 %(a)s 至 %(b)s 之间的年份") % {"a": FIRST_YEAR, "b": LAST_YEAR}]
    description = _text(description, "description", 2000, errors)
    evidence = _text(evidence, "evidence", 300, errors)
    if errors:
        raise ValidationError(errors)
    claim = BonusClaim(region=region, year=year, scheme_code=chosen.scheme.code, item=chosen.code,
                       item_label=chosen.label, description=description, evidence=evidence,
                       state=ClaimState.CLAIMED, claimed_by=getattr(actor, "username", "") or "系统")
    claim.full_clean()
    claim.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=claim,
                 after={"region": region.code, "year": year, "item": chosen.key, "state": claim.state,
                        "evidence": evidence, "version": claim.version})
    return claim


def _move(*, actor, claim: BonusClaim, to: str, base_version: int | None, reason: str = "") -> BonusClaim:
    """One move of CLAIM_MOVES under a row lock, refusing a stale version; one audit entry."""
    current = BonusClaim.objects.select_for_update().select_related("region").get(pk=claim.pk)
    if base_version is not None and base_version != current.version:
        raise stale_edit(kind=_("加分事项"), changes=changes_since(current, base_version))
    if to not in CLAIM_MOVES[current.state]:
        raise ValidationError(_("该加分事项状态为“%(state)s”，不能%(move)s") % {
            "state": current.get_state_display(), "move": MOVE_LABELS[to]})
    before = {"state": current.state, "version": current.version}
    current.state = to
    if to == ClaimState.REJECTED:
        current.reason = reason
    if to in (ClaimState.APPROVED, ClaimState.REJECTED):
        current.decided_by = getattr(actor, "username", "") or "系统"
        current.decided_at = timezone.now()
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=before,
                 after={"state": to, "reason": current.reason, "version": current.version})
    return current


def _require_decider(actor) -> None:
    if actor is not None and not can_decide_bonus(actor):
        raise PermissionDenied(_("只有省级管理员可以核定加分事项"))


@transaction.atomic
def bonus_claim_approve(*, actor, claim: BonusClaim, base_version: int | None = None) -> BonusClaim:
    """核定: the province counts the claim; runs of its year add the item's points."""
    _require_decider(actor)
    return _move(actor=actor, claim=claim, to=ClaimState.APPROVED, base_version=base_version)


@transaction.atomic
def bonus_claim_reject(*, actor, claim: BonusClaim, reason: str, base_version: int | None = None) -> BonusClaim:
    """不予核定 (or revoke an approval), with the reason the region reads."""
    _require_decider(actor)
    reason = (reason or "").strip()
    problem = control_character_error(reason) if reason else ""
    if not reason or problem or len(reason) > 1000:
        raise ValidationError({"reason": [problem or (_("不予核定须写明理由") if not reason
                                                      else _("理由不能超过 1000 个字"))]})
    return _move(actor=actor, claim=claim, to=ClaimState.REJECTED, base_version=base_version, reason=reason)


@transaction.atomic
def bonus_claim_withdraw(*, actor, claim: BonusClaim, base_version: int | None = None) -> BonusClaim:
    """The region withdraws its claim before the province decides it."""
    if actor is not None and not can_claim_bonus(actor, claim.region_id):
        raise PermissionDenied(_("只有申报地区的工作人员可以撤回加分事项"))
    return _move(actor=actor, claim=claim, to=ClaimState.WITHDRAWN, base_version=base_version)


MOVE_LABELS = {ClaimState.APPROVED: gettext_lazy("核定"), ClaimState.REJECTED: gettext_lazy("不予核定"),
               ClaimState.WITHDRAWN: gettext_lazy("撤回")}
DECISIONS = {"approve": ClaimState.APPROVED, "reject": ClaimState.REJECTED, "withdraw": ClaimState.WITHDRAWN}


def bonus_claim_decide(*, actor, claim: BonusClaim, decision: str, reason: str = "",
                       base_version: int | None = None) -> BonusClaim:
    """Dispatch a decision word (approve, reject, withdraw) of a page, the API or the command to its service."""
    if actor is not None and not (can_decide_bonus(actor) or can_claim_bonus(actor, claim.region_id)):
        raise PermissionDenied(_("您不能处理此加分事项"))
    if decision == "approve":
        return bonus_claim_approve(actor=actor, claim=claim, base_version=base_version)
    if decision == "reject":
        return bonus_claim_reject(actor=actor, claim=claim, reason=reason, base_version=base_version)
    if decision == "withdraw":
        return bonus_claim_withdraw(actor=actor, claim=claim, base_version=base_version)
    raise ValidationError({"decision": [_("处理方式“%(d)s”无效，应为 approve（核定）、reject（不予核定）或 withdraw（撤回）")
                                        % {"d": decision}]})


def claims_for(user):
    """The claims the user sees (jiqun.accounts.scoping.bonus_claim_q)."""
    return BonusClaim.objects.for_user(user).select_related("region")


def claimable_regions(user) -> list[Region]:
    """The regions the user may file claims for: its own, when some region scheme evaluates it."""
    if not user.is_authenticated or not user.region_id:
        return []
    if not any(can_claim_bonus(user, user.region_id) and regions_of(i.scheme).filter(code=user.region_id).exists()
               for i in bonus_items()):
        return []
    return [Region.objects.get(code=user.region_id)]


def items_for_region(code: str) -> list[BonusItem]:
    return [i for i in bonus_items() if regions_of(i.scheme).filter(code=code).exists()
            and is_within(code, i.scheme.regions.get("within", code))]
