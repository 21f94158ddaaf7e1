"""Writes for statistical monitoring: periods, values, the report workflow and corrections.

The workflow is one table (TRANSITIONS); each transition has its own service, writes one ReportEvent and
one audit entry, and refuses anything the table or the permissions do not allow.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.core.stale import ChangeSince, stale_edit
from jiqun.core.text import control_character_error, reject_control_characters_in
from jiqun.dashboards.summaries import summaries_changed
from jiqun.enterprises.models import Enterprise
from jiqun.monitoring.checks import check_report, unexplained
from jiqun.monitoring.models import (
    CorrectionRequest,
    CorrectionStatus,
    PeriodStatus,
    Provenance,
    Report,
    ReportEvent,
    ReportingPeriod,
    ReportRevision,
    ReportStatus,
)
from jiqun.monitoring.permissions import (
    can_approve_city,
    can_fill_report,
    can_open_period,
    can_request_correction,
    can_return,
    can_review_province,
    has_filled_report,
)
from jiqun.monitoring.selectors import report_history, report_indicators, rules_for
from jiqun.monitoring.values import (
    NOTE_LENGTH,
    changed_entry,
    number_text,
    storable,
    to_decimal,
    values_of,
)
from jiqun.monitoring.workflow import Refusals, Transition, approval_chain, workflow_move
from jiqun.programmes.packs import DEFAULT_REPORTING, REPORTED_KINDS

S = ReportStatus


# The whole workflow: 草稿 → 已提交 → 退回 | 市级通过 (or the province's recorded 代市级审核) → 省级通过 (locked).
TRANSITIONS: dict[str, Transition] = approval_chain(can_fill=can_fill_report, can_return=can_return,
                                                    can_approve_city=can_approve_city,
                                                    can_review_province=can_review_province)
REPORT_REFUSALS = Refusals(
    wrong_status=gettext_lazy("报表当前状态为“%(status)s”，不能%(label)s"),
    not_allowed=gettext_lazy("您无权对该报表执行“%(label)s”"),
    filled_it=gettext_lazy("您填报过该报表，按照填报与审核分离的要求不能执行“%(label)s”；请由未参与填报的人员审核。"),
)

DEFAULT_INDICATORS = DEFAULT_REPORTING  # the seven of the 2020 SEI document, for a programme whose pack names none


def period_default_codes(programme) -> list[str]:
    """The indicators a period of `programme` collects unless the province adjusts them: its pack's reporting list,
    which names every indicator its value targets are measured on (the pack loader checks that)."""
    return list((programme.reporting or {}).get("indicators") or DEFAULT_INDICATORS)


def period_indicators(codes) -> list:
    """The catalogue's indicators for `codes`, in that order; refuse, naming them, codes that are not in the
    catalogue and indicators that are not reported (counts come from the registries, ratios and differences
    are computed from their parts), and an empty set."""
    from jiqun.programmes.models import Indicator, IndicatorKind

    codes = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
    if not codes:
        raise ValidationError({"indicators": [_("请至少选择一项填报指标")]})
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes).select_related("numerator", "denominator")}
    errors = []
    unknown = [code for code in codes if code not in found]
    if unknown:
        errors.append(_("指标目录中没有编码为 %(codes)s 的指标") % {"codes": "、".join(unknown)})
    for code in codes:
        indicator = found.get(code)
        if indicator is None or indicator.kind in REPORTED_KINDS:
            continue
        if indicator.kind == IndicatorKind.COUNT:
            errors.append(_("“%(name)s”（%(code)s）由名录计数得出，不填报")
                          % {"name": indicator.name, "code": code})
        else:
            errors.append(_("“%(name)s”（%(code)s）由“%(numerator)s”和“%(denominator)s”计算得出，不填报；请选择这两项")
                          % {"name": indicator.name, "code": code, "numerator": indicator.numerator.name,
                             "denominator": indicator.denominator.name})
    if errors:
        raise ValidationError({"indicators": errors})
    return [found[code] for code in codes]


YEARS = (2000, 2100)
DEADLINE_AFTER_END = datetime.timedelta(days=366)


def period_dates_check(year: int, quarter: int, deadline: datetime.date) -> None:
    """A period's year, quarter and deadline must make sense, each refused by name: 2000–2100, 1–4, and a
    deadline from the start of the year to a year after the period ends (data are reported after it)."""
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValidationError({"year": [_("年份 %(year)s 不在 %(low)s–%(high)s 之间")
                                        % {"year": year, "low": YEARS[0], "high": YEARS[1]}]})
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": [_("季度 %(quarter)s 应为 1、2、3 或 4") % {"quarter": quarter}]})
    month = quarter * 3
    end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    if not datetime.date(year, 1, 1) <= deadline <= end + DEADLINE_AFTER_END:
        raise ValidationError({"deadline": [
            _("截止日期 %(deadline)s 不合理：%(year)s年1-%(month)s月的报告期截至 %(end)s，截止日期应在 %(first)s 至 %(last)s 之间")
            % {"deadline": deadline, "year": year, "month": month, "end": end, "first": datetime.date(year, 1, 1),
               "last": end + DEADLINE_AFTER_END}]})


@transaction.atomic
def period_open(
    *, actor, programme, year: int, quarter: int, deadline: datetime.date, indicators=None,
    enterprise_level: bool = False,
) -> ReportingPeriod:
    """Open a period and create a draft report for every active cluster (and member enterprise)."""
    if actor is not None and not can_open_period(actor):
        raise PermissionDenied(_("只有省级管理员可以开启报告期"))
    period_dates_check(year, quarter, deadline)
    if ReportingPeriod.objects.filter(programme=programme, year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": [_("%(programme)s %(year)s年第%(quarter)s季度的报告期已开启")
                                            % {"programme": programme.name, "year": year, "quarter": quarter}]})
    from jiqun.programmes.models import IndicatorLevel

    if indicators is None:
        indicators = period_indicators(period_default_codes(programme))
    period = ReportingPeriod(programme=programme, year=year, quarter=quarter, deadline=deadline,
                             enterprise_level=enterprise_level, opened_by=getattr(actor, "username", "system"))
    period.full_clean()
    period.save()
    period.indicators.set(indicators)
    levels = {i.level for i in period.indicators.all()}
    # Cluster and enterprise reports only when they have something to ask: a period of region-level
    # indicators alone is the regions' 综合表 and nothing else.
    clusters = Cluster.objects.filter(programme=programme).exclude(status=ClusterStatus.EXITED)
    if IndicatorLevel.CLUSTER in levels:
        Report.objects.bulk_create([Report(period=period, cluster=c) for c in clusters])
    if enterprise_level and IndicatorLevel.CLUSTER in levels:
        members = Enterprise.objects.filter(memberships__cluster__in=clusters).distinct()
        Report.objects.bulk_create([Report(period=period, enterprise=e) for e in members])
    regions = region_report_regions(programme)
    if regions and IndicatorLevel.REGION in levels:
        Report.objects.bulk_create([Report(period=period, region_id=code) for code in regions])
    from jiqun.projects.dispatch_services import dispatches_create

    dispatches = dispatches_create(period)  # every active project of the programme's clusters files its dispatch
    audit_record(actor=actor, action=AuditAction.CREATE, obj=period,
                 after={"reports": period.reports.count(), "dispatches": dispatches, "deadline": deadline,
                        "indicators": sorted(i.code for i in period.indicators.all())})
    return period


def region_report_regions(programme) -> list[str]:
    """The regions that file a 综合表 (region-level indicators) in the programme's periods: its scope region,
    the province for a province-wide programme."""
    from jiqun.regions.models import PROVINCE_CODE

    if programme.scope_region_id:
        return [programme.scope_region_id]
    return [PROVINCE_CODE] if programme.scope == "province" else []


FIELD_NAMES = {"current": gettext_lazy("本期累计"), "previous": gettext_lazy("上年同期")}


@transaction.atomic
def report_values_save(
    *, actor, report: Report, values: dict[str, dict], provenance: str = Provenance.FORM,
    check_permission: bool = True, base_revision: int | None = None,
) -> ReportRevision | None:
    """Save figures of a draft or returned report: {code: {"current", "previous", "note"}}; one revision per save.

    Entries that do not change keep their revision (and so their provenance); None when nothing changed.
    `base_revision` is the revision the user's form or request was based on: a later one on file refuses the
    save (StaleEdit) naming who changed which indicators since. Forms and the API always give it.
    """
    if check_permission and not can_fill_report(actor, report):
        raise PermissionDenied(_("报表“%(report)s”当前状态为%(status)s，您不能修改")
                               % {"report": report, "status": report.get_status_display()})
    allowed = {i.code: i for i in report_indicators(report)}
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValidationError({"indicator": [_asked_elsewhere(report, unknown)]})
    locked = Report.objects.select_for_update().get(pk=report.pk)  # two saves must not take one revision number
    if base_revision is not None and base_revision != locked.revision:
        raise _stale_figures(locked, base_revision, {code: i.name for code, i in allowed.items()})
    figures, number = dict(locked.figures), locked.revision + 1
    changes, errors = {}, []
    for code, data in values.items():
        old = figures.get(code)
        numbers = {"current": old[0] if old else None, "previous": old[1] if old else None}
        for field_name in numbers:
            if field_name in data:
                try:
                    given = to_decimal(data[field_name])
                    numbers[field_name] = None if given is None else number_text(storable(given, data[field_name]))
                except ValueError as exc:
                    errors.append(_("%(indicator)s%(field)s：%(problem)s")
                                  % {"indicator": allowed[code].name, "field": FIELD_NAMES[field_name], "problem": exc})
        note = (data.get("note") or "").strip() if "note" in data else (old[2] if old else "")
        if len(note) > NOTE_LENGTH:
            errors.append(_("%(indicator)s说明：有 %(length)s 个字，最多 %(limit)s 个")
                          % {"indicator": allowed[code].name, "length": len(note), "limit": NOTE_LENGTH})
        elif message := control_character_error(note, _("%(indicator)s说明：") % {"indicator": allowed[code].name}):
            errors.append(message)
        changed = changed_entry(old, numbers["current"], numbers["previous"], note, number)
        if changed is not None:
            figures[code] = changes[code] = changed
    if errors:
        raise ValidationError({"values": errors})
    if not changes:
        return None
    revision = ReportRevision.objects.create(report=locked, number=number, provenance=provenance,
                                             actor_name=getattr(actor, "username", ""), at=timezone.now(),
                                             figures=figures)
    before = {code: locked.figures[code][:3] for code in changes if code in locked.figures}
    report.forget_figures()
    if locked.status == S.PROVINCE_APPROVED:  # an approved correction: the dashboards follow
        summaries_changed(report.period.programme_id, period=report.period)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=report, before=before,
                 after={code: stored[:3] for code, stored in changes.items()})
    return revision


def _asked_elsewhere(report: Report, codes: list[str]) -> str:
    """The refusal of figures a report does not ask: each named, and where it belongs if the period asks it."""
    from jiqun.programmes.models import IndicatorLevel

    asked = {code: (level, name) for code, level, name in report.period.indicators.values_list("code", "level", "name")}
    parts = []
    for code in codes:
        if code not in asked:
            parts.append(_("本报告期不填报指标 %(code)s") % {"code": code})
            continue
        level, name = asked[code]
        words = {"name": name, "code": code, "report": report.subject_name}
        if level == IndicatorLevel.REGION:
            parts.append(_("“%(name)s”（%(code)s）是区域级指标，在市或全省的综合表中填报，不在“%(report)s”中填报") % words)
        else:
            parts.append(_("“%(name)s”（%(code)s）由各集群填报，不在“%(report)s”中填报") % words)
    return "；".join(parts)


def _stale_figures(report: Report, base: int, names: dict[str, str]) -> ValidationError:
    """The refusal of a save based on revision `base` when the report is at a later (or no such) revision."""
    if base > report.revision or base < 0:
        return ValidationError({"base_revision": [
            _("所依据的修订号 %(base)s 不存在（该报表当前为第 %(now)s 次修订），请刷新后重新填写；您的修改未保存。")
            % {"base": base, "now": report.revision}]})
    since = report.revisions.filter(number__gt=base).order_by("number")
    return stale_edit(kind=_("报表"), changes=[
        ChangeSince(r.at, r.actor_name, tuple(names.get(code, code) for code, stored in sorted(r.figures.items())
                                              if stored[3] == r.number))
        for r in since])


def report_findings(report: Report):
    """The 审核 findings of a report as it stands."""
    stored = values_of(report.figures)
    values = {code: (v.current, v.previous) for code, v in stored.items()}
    notes = {code: v.note for code, v in stored.items()}
    rules = rules_for(report.period, region=report.region_id is not None)
    return check_report(rules, values, notes, report.period.quarter, report_history(report)), notes


def _record_report_event(actor):
    def record(report: Report, action: str, before: str, after: str, comment: str) -> None:
        ReportEvent.objects.create(report=report, action=action, from_status=before, to_status=after, actor=actor,
                                   actor_name=getattr(actor, "username", ""), comment=comment)
        if S.PROVINCE_APPROVED in (before, after):  # an approved figure appeared or went: the dashboards follow
            summaries_changed(report.period.programme_id, period=report.period)
    return record


def _transition(*, actor, report: Report, action: str, comment: str = "") -> Report:
    return workflow_move(actor=actor, form=report, action=action, transitions=TRANSITIONS, refusals=REPORT_REFUSALS,
                         has_filled=has_filled_report, record_event=_record_report_event(actor), comment=comment)


@transaction.atomic
def report_submit(*, actor, report: Report, comment: str = "") -> Report:
    """Submit when every 强制性审核 passes and every 核实性审核 warning is explained."""
    if report.period.status != PeriodStatus.OPEN:
        raise ValidationError(_("该报告期已关闭，不能提交"))
    findings, notes = report_findings(report)
    blocking = unexplained(findings, notes)
    if blocking:
        raise ValidationError([f.message + ("" if f.is_error else _("（须在“说明”中解释）")) for f in blocking])
    return _transition(actor=actor, report=report, action="submit", comment=comment)


@transaction.atomic
def report_return(*, actor, report: Report, reason: str) -> Report:
    reject_control_characters_in(_("退回理由"), reason=reason)
    if not reason.strip():
        raise ValidationError({"reason": [_("退回须填写理由")]})
    return _transition(actor=actor, report=report, action="return", comment=reason.strip())


@transaction.atomic
def report_approve_city(*, actor, report: Report, comment: str = "") -> Report:
    """市级审核通过, by a city officer of the report's city."""
    if can_review_province(actor, report) and report.status == S.SUBMITTED:
        raise PermissionDenied(_("省级不能直接给出市级审核通过；如需代为审核，请使用“代市级审核”并填写理由，该操作将单独记录。"))
    return _transition(actor=actor, report=report, action="approve_city", comment=comment)


@transaction.atomic
def report_approve_for_city(*, actor, report: Report, reason: str) -> Report:
    """代市级审核: the province approves a report no city reviewed, with a reason, as its own recorded event."""
    reject_control_characters_in(_("代市级审核理由"), reason=reason)
    if not reason.strip():
        raise ValidationError({"reason": [_("代市级审核须填写理由（如市级为何未审核）")]})
    return _transition(actor=actor, report=report, action="approve_for_city", comment=reason.strip())


@transaction.atomic
def report_approve_province(*, actor, report: Report, comment: str = "") -> Report:
    return _transition(actor=actor, report=report, action="approve_province", comment=comment)


@transaction.atomic
def correction_request_create(*, actor, report: Report, changes: dict[str, dict], reason: str) -> CorrectionRequest:
    """Ask to change a locked report; nothing changes until the province approves."""
    if report.status != S.PROVINCE_APPROVED:
        raise ValidationError(_("只有省级审核通过（已锁定）的报表需要更正申请；其他状态请直接修改或退回"))
    if not can_request_correction(actor, report):
        raise PermissionDenied(_("您无权对该报表申请更正"))
    reject_control_characters_in(_("更正理由"), reason=reason)
    if not reason.strip():
        raise ValidationError({"reason": [_("更正须填写理由")]})
    changes = {code: {f: v for f, v in fields.items() if f in ("current", "previous") and v is not None}
               for code, fields in changes.items()}
    changes = {code: fields for code, fields in changes.items() if fields}
    if not changes:
        raise ValidationError({"changes": [_("没有填写要更正的数值")]})
    codes = set(report_indicators(report).values_list("code", flat=True))
    unknown = sorted(set(changes) - codes)
    if unknown:
        raise ValidationError({"changes": [_asked_elsewhere(report, unknown)]})
    request = CorrectionRequest(report=report, changes={k: {f: str(v) for f, v in d.items()} for k, d in changes.items()},
                                reason=reason.strip(), requested_by=getattr(actor, "username", ""))
    request.full_clean()
    request.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request, after=request.changes)
    return request


@transaction.atomic
def correction_decide(*, actor, correction: CorrectionRequest, approve: bool, comment: str = "") -> CorrectionRequest:
    """Approve (apply, keeping the old values in history) or reject a correction; province only."""
    if not can_review_province(actor, correction.report):
        raise PermissionDenied(_("只有省级管理员可以审批更正申请"))
    reject_control_characters_in(_("审批意见"), comment=comment)
    # Two province admins deciding at once: the row lock makes the second see the first's decision and stop.
    correction = CorrectionRequest.objects.select_for_update().select_related("report").get(pk=correction.pk)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(
            _("该更正申请已于 %(at)s 由 %(who)s %(decision)s，不能再次审批；您的审批未保存。") % {
                "at": timezone.localtime(correction.decided_at).strftime("%Y-%m-%d %H:%M")
                if correction.decided_at else "—",
                "who": correction.decided_by or _("系统"), "decision": correction.get_status_display()})
    if approve:
        report_values_save(actor=actor, report=correction.report, values=correction.changes,
                           provenance=Provenance.CORRECTION, check_permission=False)
    correction.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
    correction.decided_by = getattr(actor, "username", "")
    correction.decided_at = timezone.now()
    correction.decision_comment = comment
    correction.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=correction, after={"status": correction.status})
    return correction
