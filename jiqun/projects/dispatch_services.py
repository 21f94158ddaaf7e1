"""Writes for the quarterly project dispatch (项目调度): opening a period's dispatches, filing, and the approval chain.

A dispatch is filed like a statistics report and moves along the same table (jiqun.monitoring.workflow): the
project's keeper (county, city or province officer) files and submits, the city approves (or the province stands
in with a reason), the province approves and the dispatch is locked. The stage reached and the new constraints
it reports are applied to the project only then, through `project_move_stage` and `constraint_raise`, by the
approving province officer: a move cannot be undone, and a dispatch returned after a city's approval must not
leave one behind.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.core.stale import changes_since, stale_edit
from jiqun.core.text import reject_control_characters_in
from jiqun.monitoring.models import PeriodStatus, ReportingPeriod, ReportStatus
from jiqun.monitoring.workflow import Refusals, Transition, approval_chain, workflow_move
from jiqun.projects.dispatch_checks import DispatchLine, NewConstraint, check_dispatch
from jiqun.projects.dispatch_permissions import (
    can_approve_dispatch_city,
    can_fill_dispatch,
    can_open_dispatches,
    can_return_dispatch,
    can_review_province,
    has_filled_dispatch,
)
from jiqun.projects.models import Dispatch, DispatchEvent, Project, Stage
from jiqun.projects.services import constraint_raise, project_move_stage

S = ReportStatus
ACTIVE_STAGES = [Stage.PLANNING, Stage.RESERVE, Stage.STARTED, Stage.COMPLETED, Stage.SUSPENDED]  # not 投产/退出

TRANSITIONS: dict[str, Transition] = approval_chain(
    can_fill=can_fill_dispatch, can_return=can_return_dispatch, can_approve_city=can_approve_dispatch_city,
    can_review_province=can_review_province)
REFUSALS = Refusals(
    wrong_status=gettext_lazy("项目调度当前状态为“%(status)s”，不能%(label)s"),
    not_allowed=gettext_lazy("您无权对该项目调度执行“%(label)s”"),
    filled_it=gettext_lazy("您填报过该项目调度，按照填报与审核分离的要求不能执行“%(label)s”；请由未参与填报的人员审核。"),
)
FIELDS = ("completed_ytd", "progress", "stage_to", "stage_on", "stage_evidence", "new_constraints")


def dispatch_projects(period: ReportingPeriod):
    """The projects that file a dispatch in `period`: every active one (not 投产 or 退出) of the programme's clusters."""
    return Project.objects.filter(clusters__programme=period.programme_id, stage__in=ACTIVE_STAGES).distinct()


def dispatches_create(period: ReportingPeriod) -> int:
    """Create the missing draft dispatches of an open period; the number created. The caller audits."""
    if period.status != PeriodStatus.OPEN:
        return 0
    have = set(period.dispatches.values_list("project", flat=True))
    new = [Dispatch(period=period, project_id=pk) for pk in dispatch_projects(period).values_list("pk", flat=True)
           if pk not in have]
    Dispatch.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def dispatch_period_open(*, actor, period: ReportingPeriod) -> int:
    """Open the dispatches of a period for the projects that have none yet (a period opened before they entered
    the library, or before the dispatch existed); province only. Opening a period does this by itself."""
    if not can_open_dispatches(actor):
        raise PermissionDenied(_("只有省级管理员可以生成项目调度"))
    if period.status != PeriodStatus.OPEN:
        raise ValidationError(_("该报告期已关闭，不能生成项目调度"))
    created = dispatches_create(period)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=period, object_repr=f"项目调度 {period.official_label}",
                 after={"dispatches": created})
    return created


def previous_dispatch(dispatch: Dispatch) -> Dispatch | None:
    """The same project's dispatch of the same year's previous quarter, as filed (submitted or later)."""
    period = dispatch.period
    if period.quarter == 1:
        return None
    return Dispatch.objects.filter(
        project=dispatch.project_id, period__programme=period.programme_id, period__year=period.year,
        period__quarter__lt=period.quarter,
        status__in=[S.SUBMITTED, S.CITY_APPROVED, S.PROVINCE_APPROVED],
    ).order_by("-period__quarter").select_related("period").first()


def _constraints(raw) -> list[NewConstraint]:
    """The new constraints as given (a list of dicts); what cannot be read is refused by the checks."""
    items = []
    for entry in raw or []:
        entry = entry if isinstance(entry, dict) else {}
        deadline = entry.get("deadline")
        if isinstance(deadline, str):
            try:
                deadline = datetime.date.fromisoformat(deadline.strip())
            except ValueError:
                deadline = None
        items.append(NewConstraint(kind=str(entry.get("kind") or ""), description=str(entry.get("description") or ""),
                                   responsible_unit=str(entry.get("responsible_unit") or ""),
                                   deadline=deadline if isinstance(deadline, datetime.date) else None))
    return items


def dispatch_line(dispatch: Dispatch, **changes) -> DispatchLine:
    """The check input of a dispatch as it stands, or as `changes` would leave it."""
    values = {name: getattr(dispatch, name) for name in FIELDS} | changes
    project = dispatch.project
    last = project.events.order_by("-reached_on", "-at", "-id").values_list("reached_on", flat=True).first()
    before = previous_dispatch(dispatch)
    return DispatchLine(
        code=project.code, name=project.name, total_investment=project.total_investment, stage=project.stage,
        last_stage_on=last, previous_ytd=before.completed_ytd if before else None,
        previous_label=before.period.months if before else "",
        completed_ytd=values["completed_ytd"], progress=values["progress"] or "", stage_to=values["stage_to"] or "",
        stage_on=values["stage_on"], stage_evidence=values["stage_evidence"] or "",
        constraints=_constraints(values["new_constraints"]))


def dispatch_findings(dispatch: Dispatch, *, complete: bool = True, **changes):
    return check_dispatch(dispatch_line(dispatch, **changes), datetime.date.today(), complete=complete)


def _clean_constraints(raw) -> list[dict]:
    return [{"kind": c.kind, "description": c.description.strip(), "responsible_unit": c.responsible_unit.strip(),
             "deadline": c.deadline.isoformat() if c.deadline else None} for c in _constraints(raw)]


@transaction.atomic
def dispatch_save(*, actor, dispatch: Dispatch, base_version: int, completed_ytd: Decimal | None, progress: str = "",
                  stage_to: str = "", stage_on: datetime.date | None = None, stage_evidence: str = "",
                  new_constraints: list | None = None, check_permission: bool = True) -> Dispatch:
    """Save a draft or returned dispatch whole; refuse, naming project and column, whatever its checks refuse
    (blanks wait for the submission) and a stale `base_version`."""
    current = Dispatch.objects.select_for_update(of=("self",)).select_related("project", "period").get(pk=dispatch.pk)
    if check_permission and not can_fill_dispatch(actor, current):
        raise PermissionDenied(_("项目调度“%(dispatch)s”当前状态为%(status)s，您不能修改")
                               % {"dispatch": current, "status": current.get_status_display()})
    if base_version != current.version:
        raise stale_edit(kind=_("项目调度"), changes=changes_since(current, base_version))
    changes = {"completed_ytd": completed_ytd, "progress": (progress or "").strip(), "stage_to": stage_to or "",
               "stage_on": stage_on, "stage_evidence": (stage_evidence or "").strip(),
               "new_constraints": _clean_constraints(new_constraints)}
    errors = [f.message for f in dispatch_findings(current, complete=False, **changes)]
    if errors:
        raise ValidationError(errors)
    before = {name: getattr(current, name) for name in FIELDS}
    if before == changes:
        return current
    for name, value in changes.items():
        setattr(current, name, value)
    username = getattr(actor, "username", "")
    if username and username not in current.filled_by:
        current.filled_by = [*current.filled_by, username]
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current,
                 before={**before, "version": base_version}, after={**changes, "version": current.version})
    dispatch.refresh_from_db()
    return current


def _record(actor):
    def record(dispatch: Dispatch, action: str, before: str, after: str, comment: str) -> None:
        DispatchEvent.objects.create(dispatch=dispatch, action=action, from_status=before, to_status=after, actor=actor,
                                     actor_name=getattr(actor, "username", ""), comment=comment)
    return record


def _move(*, actor, dispatch: Dispatch, action: str, comment: str = "") -> Dispatch:
    moved = workflow_move(actor=actor, form=dispatch, action=action, transitions=TRANSITIONS, refusals=REFUSALS,
                          has_filled=has_filled_dispatch, record_event=_record(actor), comment=comment)
    dispatch.refresh_from_db()
    return moved


@transaction.atomic
def dispatch_submit(*, actor, dispatch: Dispatch, comment: str = "") -> Dispatch:
    """Submit when every check passes, blanks included."""
    if dispatch.period.status != PeriodStatus.OPEN:
        raise ValidationError(_("该报告期已关闭，不能提交"))
    errors = [f.message for f in dispatch_findings(dispatch, complete=True)]
    if errors:
        raise ValidationError(errors)
    return _move(actor=actor, dispatch=dispatch, action="submit", comment=comment)


@transaction.atomic
def dispatch_return(*, actor, dispatch: Dispatch, reason: str) -> Dispatch:
    reject_control_characters_in(_("退回理由"), reason=reason)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("退回须填写理由")]})
    return _move(actor=actor, dispatch=dispatch, action="return", comment=reason.strip())


@transaction.atomic
def dispatch_approve_city(*, actor, dispatch: Dispatch, comment: str = "") -> Dispatch:
    """市级审核通过, by a city officer of the project's city."""
    if can_review_province(actor, dispatch) and dispatch.status == S.SUBMITTED:
        raise PermissionDenied(_("省级不能直接给出市级审核通过；如需代为审核，请使用“代市级审核”并填写理由，该操作将单独记录。"))
    return _move(actor=actor, dispatch=dispatch, action="approve_city", comment=comment)


@transaction.atomic
def dispatch_approve_for_city(*, actor, dispatch: Dispatch, reason: str) -> Dispatch:
    """代市级审核: the province approves a dispatch no city reviewed, with a reason, as its own recorded event."""
    reject_control_characters_in(_("代市级审核理由"), reason=reason)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("代市级审核须填写理由（如市级为何未审核）")]})
    return _move(actor=actor, dispatch=dispatch, action="approve_for_city", comment=reason.strip())


@transaction.atomic
def dispatch_approve_province(*, actor, dispatch: Dispatch, comment: str = "") -> Dispatch:
    """省级审核通过: lock the dispatch, then apply the stage it reports and raise its new constraints, as the
    approving officer; if the project can no longer make that move (it moved since), nothing is approved."""
    moved = _move(actor=actor, dispatch=dispatch, action="approve_province", comment=comment)
    project = moved.project
    if moved.stage_to:
        evidence = moved.stage_evidence or _("项目调度 %(period)s") % {"period": moved.period.label}
        try:
            event = project_move_stage(actor=actor, project=project, to_stage=moved.stage_to, reached_on=moved.stage_on,
                                       evidence=evidence[:200])
        except ValidationError as exc:
            raise ValidationError([_("项目“%(name)s”（%(code)s）“本期达到阶段”不能登记：%(problem)s")
                                   % {"name": project.name, "code": project.code, "problem": message}
                                   for message in exc.messages]) from exc
        Dispatch.objects.filter(pk=moved.pk).update(stage_event=event)
    for item in _constraints(moved.new_constraints):
        constraint_raise(actor=actor, project=project, kind=item.kind, description=item.description,
                         responsible_unit=item.responsible_unit, deadline=item.deadline)
    dispatch.refresh_from_db()
    return dispatch
