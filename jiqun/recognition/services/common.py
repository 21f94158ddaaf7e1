"""What every service of a round shares: the call's move table, the tier order, and the checks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from jiqun.clusters.models import Tier
from jiqun.recognition.models import Call, CallStatus
from jiqun.recognition.permissions import can_manage_rounds

S = CallStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.OPEN}),
    S.OPEN: frozenset({S.REVIEW}),
    S.REVIEW: frozenset({S.PUBLICITY}),
    S.PUBLICITY: frozenset({S.DONE}),
    S.DONE: frozenset(),
}

TIER_ORDER = ["", Tier.CITY, Tier.PROVINCIAL, Tier.NATIONAL, Tier.WORLD]


def below(tier: str, sought: str) -> bool:
    """Whether `tier` is lower than `sought`: a round only ever raises a tier."""
    return TIER_ORDER.index(tier) < TIER_ORDER.index(sought)


def require_province(actor) -> None:
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_("赛马认定由省级管理员组织，您无权进行此操作。"))


def require_status(call: Call, *statuses: str, doing: str) -> None:
    if call.status not in statuses:
        raise ValidationError(_("批次“%(call)s”当前为“%(status)s”，不能%(doing)s") % {
            "call": call.title, "status": call.get_status_display(), "doing": doing})
