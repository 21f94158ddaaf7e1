"""The approval chain of a filed form (草稿 → 已提交 → 市级审核 → 省级审核), shared by every kind of form filed in a
reporting period: a cluster's, an enterprise's or a region's statistics report (jiqun.monitoring) and a project's
quarterly dispatch (jiqun.projects.dispatch_services).

A kind of form gives its own permission predicates (who fills it, who reviews it for the city) and its own event
model; the table, the checks each move makes and their order are the same for all. Each move locks the row,
refuses what the table or the predicates do not allow, bars a form's fillers from approving it, writes one event
and one audit entry.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.text import reject_control_characters_in
from jiqun.monitoring.models import ReportStatus

S = ReportStatus


@dataclass(frozen=True)
class Transition:
    sources: frozenset[str]
    target: str
    allowed: object  # a rules predicate (user, form)
    label: str  # a lazy translation: the table is built at import time, the label shown at call time


def approval_chain(*, can_fill, can_return, can_approve_city, can_review_province) -> dict[str, Transition]:
    """The whole workflow: 草稿 → 已提交 → 退回 | 市级通过 (or the province's recorded 代市级审核) → 省级通过 (locked)."""
    return {
        "submit": Transition(frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, can_fill, gettext_lazy("提交")),
        "return": Transition(frozenset({S.SUBMITTED, S.CITY_APPROVED}), S.RETURNED, can_return, gettext_lazy("退回")),
        "approve_city": Transition(frozenset({S.SUBMITTED}), S.CITY_APPROVED, can_approve_city,
                                   gettext_lazy("市级审核通过")),
        # The province approving what no city reviewed: never silent, always with a reason and its own event.
        "approve_for_city": Transition(frozenset({S.SUBMITTED}), S.CITY_APPROVED, can_review_province,
                                       gettext_lazy("代市级审核")),
        "approve_province": Transition(frozenset({S.CITY_APPROVED}), S.PROVINCE_APPROVED, can_review_province,
                                       gettext_lazy("省级审核通过")),
    }


APPROVALS = frozenset({"approve_city", "approve_for_city", "approve_province"})  # barred to the form's fillers


@dataclass(frozen=True)
class Refusals:
    """The messages a kind of form refuses a move with (its own noun: 报表, 项目调度)."""

    wrong_status: str  # %(status)s, %(label)s
    not_allowed: str  # %(label)s
    filled_it: str  # %(label)s


def workflow_move(*, actor, form, action: str, transitions: dict[str, Transition], refusals: Refusals,
                  has_filled: Callable, record_event: Callable, comment: str = ""):
    """Make one move of the table on `form` (locked for the move); the caller holds the transaction.

    `has_filled(actor, form)` tells a filler (barred from approving when filling and approving are separated);
    `record_event(form, action, before, after, comment)` writes the kind's event row.
    """
    from django.utils.translation import gettext as _

    rule = transitions[action]
    form = type(form).objects.select_for_update().get(pk=form.pk)
    if form.status not in rule.sources:
        raise ValidationError(refusals.wrong_status % {"status": form.get_status_display(), "label": rule.label})
    if not rule.allowed(actor, form):
        raise PermissionDenied(refusals.not_allowed % {"label": rule.label})
    if action in APPROVALS and settings.JIQUN_SEPARATE_FILL_AND_APPROVE and has_filled(actor, form):
        raise PermissionDenied(refusals.filled_it % {"label": rule.label})
    reject_control_characters_in(_("%(label)s意见") % {"label": rule.label}, comment=comment)
    before = form.status
    form.status = rule.target
    if action == "submit":
        form.submitted_at = timezone.now()
    form.save(update_fields=["status", "submitted_at", "updated_at"])
    record_event(form, action, before, rule.target, comment)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=form, before={"status": before},
                 after={"status": rule.target, "transition": action, "comment": comment})
    return form
