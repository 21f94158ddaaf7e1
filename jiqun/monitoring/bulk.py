"""Bulk approval (批量审核): approve many waiting reports at once, each re-checked and moved by the per-report
services (report_approve_city / report_approve_province), so the TRANSITIONS table, the permissions and the
separation of filling and approving apply to each exactly as on the report's own page.

Only a "clean" report is approved: no 强制性审核 error and every 核实性审核 warning explained — the rule
report_submit applies (jiqun.monitoring.checks.unexplained). Each report is approved in its own transaction:
one refused report (stale status, a warning unexplained, filled by the approver, outside the scope) changes
nothing of itself and does not stop the others.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.text import reject_control_characters_in
from jiqun.monitoring.checks import unexplained
from jiqun.monitoring.models import Report, ReportStatus
from jiqun.monitoring.services import report_approve_city, report_approve_province, report_findings

BULK_LIMIT = 500  # reports one request may name


@dataclass(frozen=True)
class BulkLine:
    report_id: int
    name: str  # the report as the user reads it ("" when it is not visible)
    approved: bool
    status: str = ""  # the report's status after the attempt
    reason: str = ""  # why it was refused


@dataclass
class BulkResult:
    approved: list[BulkLine] = field(default_factory=list)
    refused: list[BulkLine] = field(default_factory=list)

    @property
    def lines(self) -> list[BulkLine]:
        return [*self.approved, *self.refused]


def awaited_status(user) -> str | None:
    """The status of the reports waiting for this user's approval: a city officer approves submitted reports
    (市级审核), the province city-approved ones (省级审核); nobody else approves."""
    from jiqun.accounts.models import Role

    if not user.is_authenticated:
        return None
    return {Role.CITY_OFFICER: ReportStatus.SUBMITTED, Role.PROVINCE_ADMIN: ReportStatus.CITY_APPROVED}.get(user.role)


def approval_blockers(report: Report) -> list[str]:
    """What keeps a report from approval as it stands: each 强制性 error and each 核实性 warning without a note."""
    return approval_review(report)[0]


def approval_review(report: Report) -> tuple[list[str], list[str]]:
    """What an approver must read before approving: the blockers (approval_blockers) and each 核实性 warning
    that is explained, with its explanation, so a bulk approver sees what was explained and how."""
    findings, notes = report_findings(report)
    blocking = unexplained(findings, notes)
    blockers = [f.message + ("" if f.is_error else _("（未说明）")) for f in blocking]
    explained = [_("%(warning)s —— 说明：%(note)s") % {"warning": f.message, "note": notes.get(f.indicator, "").strip()}
                 for f in findings if f not in blocking]
    return blockers, explained


def _message(exc: Exception) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


def _ids(reports: Iterable) -> list[int]:
    """The pks named, in order, each once: Report objects or numbers."""
    ids = []
    for item in reports:
        pk = item.pk if isinstance(item, Report) else item
        if isinstance(pk, bool) or not isinstance(pk, int):
            raise ValidationError({"reports": [_("报表编号“%(value)s”不是数字") % {"value": pk}]})
        if pk not in ids:
            ids.append(pk)
    return ids


def _approve_one(actor, report: Report, comment: str, seen: int | None = None) -> Report:
    """Re-check and approve one report inside its own transaction; raise to refuse it (nothing changed).

    `seen` is the revision the approver read (the bulk page posts it): a report changed since is refused."""
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        awaited = awaited_status(actor)
        if awaited is None:
            raise PermissionDenied(_("您的角色不审核报表"))
        if locked.status != awaited:
            raise ValidationError(_("报表当前状态为“%(status)s”，不在待您审核的状态（可能已被他人处理）")
                                  % {"status": locked.get_status_display()})
        report.status = locked.status
        report.forget_figures()
        if seen is not None and report.revision != seen:
            raise ValidationError(_("报表在您查看后已修改（您看到的是第 %(seen)s 次修订，现为第 %(now)s 次），"
                                    "请打开报表重新审核") % {"seen": seen, "now": report.revision})
        blockers = approval_blockers(report)
        if blockers:
            raise ValidationError(_("审核未通过或有未说明的核实性问题，请逐份审核：%(problems)s")
                                  % {"problems": "；".join(blockers)})
        approve = report_approve_city if locked.status == ReportStatus.SUBMITTED else report_approve_province
        return approve(actor=actor, report=report, comment=comment)


def reports_approve_bulk(*, actor, reports: Iterable, comment: str = "",
                         seen: dict[int, int] | None = None) -> BulkResult:
    """Approve each clean report of `reports` (Report objects or pks) the actor may approve; refuse the others,
    each with its reason. A report outside the actor's scope is refused as not existing. `seen` maps a report's pk
    to the revision the approver read; a report changed since is refused (a stale page approves nothing unseen)."""
    ids = _ids(reports)
    if not ids:
        raise ValidationError({"reports": [_("请至少选择一份报表")]})
    if len(ids) > BULK_LIMIT:
        raise ValidationError({"reports": [_("一次最多批量审核 %(limit)s 份报表，本次选择了 %(n)s 份")
                                           % {"limit": BULK_LIMIT, "n": len(ids)}]})
    reject_control_characters_in(_("审核意见"), comment=comment)
    if getattr(actor, "is_read_only", True):
        raise PermissionDenied(_("只读角色不能审核报表"))
    visible = {r.pk: r for r in Report.objects.for_user(actor).filter(pk__in=ids)
               .select_related("period__programme", "cluster", "enterprise", "region")}
    result = BulkResult()
    for pk in ids:
        report = visible.get(pk)
        if report is None:
            result.refused.append(BulkLine(pk, "", False, reason=_("不存在或无权访问")))
            continue
        name = str(report)
        try:
            moved = _approve_one(actor, report, comment, (seen or {}).get(pk))
        except (ValidationError, PermissionDenied) as exc:
            result.refused.append(BulkLine(pk, name, False, str(report.get_status_display()), _message(exc)))
        else:
            result.approved.append(BulkLine(pk, name, True, str(moved.get_status_display())))
    audit_record(actor=actor, action=AuditAction.UPDATE, object_type="monitoring.report",
                 object_repr=_("批量审核报表"),
                 after={"approved": [line.report_id for line in result.approved],
                        "refused": {str(line.report_id): line.reason for line in result.refused}})
    return result
