"""What every service of a round shares: the call's move table, the tier order, and the checks."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.clusters.models import Tier
from jiqun.recognition.models import Call, CallStatus
from jiqun.recognition.permissions import can_manage_rounds

S = CallStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.OPEN, S.CANCELLED}),
    S.OPEN: frozenset({S.REVIEW, S.CANCELLED}),
    S.REVIEW: frozenset({S.PUBLICITY, S.CANCELLED}),  # cancelling in review needs a reason
    S.PUBLICITY: frozenset({S.DONE}),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
}

TIER_ORDER = ["", Tier.CITY, Tier.PROVINCIAL, Tier.NATIONAL, Tier.WORLD]


def below(tier: str, sought: str) -> bool:
    """Whether `tier` is lower than `sought`: a round only ever raises a tier."""
    return TIER_ORDER.index(tier) < TIER_ORDER.index(sought)


def require_province(actor) -> None:
    if actor is not None and not can_manage_rounds(actor):
        raise PermissionDenied(_("赛马认定由省级管理员组织，您无权进行此操作。"))


def already_moved(call: Call, *, doing: str = "") -> ValidationError | None:
    """The refusal naming when and by whom the call was moved to its present status (None without such a move).

    Two people acting on one call at once: the later one learns it was moved meanwhile, not that a status
    cannot become itself.
    """
    event = (AuditEvent.objects.filter(object_type=call._meta.label_lower, object_id=str(call.pk),
                                       action=AuditAction.UPDATE, after__status=call.status).order_by("-id").first())
    if event is None:
        return None
    params = {"call": call.title, "at": timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M"),
              "who": event.actor_name or _("系统"), "status": call.get_status_display(), "doing": doing}
    if doing:
        return ValidationError(_("批次“%(call)s”已于 %(at)s 由 %(who)s 变为“%(status)s”，不能%(doing)s，请刷新页面")
                               % params, code="moved")
    return ValidationError(_("批次“%(call)s”已于 %(at)s 由 %(who)s 变为“%(status)s”，请刷新页面") % params,
                           code="moved")


def require_status(call: Call, *statuses: str, doing: str) -> None:
    if call.status not in statuses:
        raise already_moved(call, doing=doing) or ValidationError(
            _("批次“%(call)s”当前为“%(status)s”，不能%(doing)s") % {
                "call": call.title, "status": call.get_status_display(), "doing": doing})
