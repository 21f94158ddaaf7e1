"""Writes to the project library. Each is atomic, checks permission and writes one audit entry.

A stage moves only along STAGE_MOVES, one step at a time, each move a StageEvent dated by the day the stage was
reached (never in the future, never before the previous move); 停缓建 and 退出 need a reason, and a suspended
project resumes only at the stage it left. A constraint closes once, with its decision.

A project signed from a 招引名录 entry is on a chain segment (`chain_segment`, set by the chains' services);
when it reaches 开工 the move lands its signed entries (`jiqun.chains.prospect_services`) in the same
transaction, and once 投产 the chain analysis counts it on the segment.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from itertools import pairwise

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record, snapshot
from jiqun.core.stale import changes_since, stale_edit
from jiqun.core.text import control_character_error
from jiqun.projects.models import (
    CONSTRAINT_MOVES,
    EXITS,
    STAGE_LINE,
    STAGE_MOVES,
    Constraint,
    ConstraintStatus,
    Project,
    Stage,
    StageEvent,
    YearPlan,
)
from jiqun.projects.permissions import can_edit_project, can_edit_project_in
from jiqun.regions.models import is_within

EDITABLE_FIELDS = [
    "name", "segment", "region", "zone", "investor", "investor_name", "total_investment", "kind", "is_major",
    "major_level", "leader", "service_unit", "source", "signed_on", "planned_start_on", "planned_completion_on",
    "planned_production_on", "description",
]
# Set by the chain registry and the 招引名录 (not on the project form, whose segment list would not be scoped).
LINK_FIELDS = ["chain_segment"]
MAX_INVESTMENT = Decimal("999999999999.99")  # 万元: the column's bound, far above any real project


def _require(actor, allowed: bool) -> None:
    """None is the system itself (the demo, imports from the command line run as the system)."""
    if actor is not None and not allowed:
        raise PermissionDenied(_("您无权修改该区划的项目；项目由所在县区、市或省级管理员维护"))


def _check_texts(fields: dict) -> None:
    errors = {}
    for name, value in fields.items():
        if isinstance(value, str):
            problem = control_character_error(value)
            if problem:
                errors[name] = [problem]
    if errors:
        raise ValidationError(errors)


def _check_project(project: Project) -> None:
    errors: dict[str, list[str]] = {}
    if not project.investor_id and not (project.investor_name or "").strip():
        errors["investor_name"] = [_("请选择名录企业或填写投资主体名称")]
    if project.is_major and not project.major_level:
        errors["major_level"] = [_("重大项目须注明级别（省级、市级或县级）")]
    if not project.is_major and project.major_level:
        errors["major_level"] = [_("非重大项目不填重大项目级别")]
    if project.zone_id and project.region_id and not (is_within(project.zone.region_id, project.region_id)
                                                      or is_within(project.region_id, project.zone.region_id)):
        errors["zone"] = [_("园区“%(zone)s”不在项目所在区划内") % {"zone": project.zone.name}]
    if project.total_investment is not None and project.total_investment > MAX_INVESTMENT:
        errors["total_investment"] = [_("总投资超出可记录的范围（万元）")]
    if project.total_investment is not None and project.total_investment < 0:
        errors["total_investment"] = [_("总投资不能为负数（万元）")]
    plans = [("planned_start_on", project.planned_start_on), ("planned_completion_on", project.planned_completion_on),
             ("planned_production_on", project.planned_production_on)]
    dated = [(name, day) for name, day in plans if day is not None]
    for (_first, a), (second, b) in pairwise(dated):
        if b < a:
            errors.setdefault(second, []).append(_("计划日期须按开工、竣工、投产的顺序"))
    if errors:
        raise ValidationError(errors)


def _validate(project: Project) -> None:
    """The model's field checks and the project rules, every problem at once, each on its field."""
    errors: dict[str, list[str]] = {}
    for check in (lambda: project.full_clean(validate_constraints=False), lambda: _check_project(project)):
        try:
            check()
        except ValidationError as exc:
            for name, texts in exc.message_dict.items():
                errors.setdefault(name, []).extend(t for t in texts if t not in errors.get(name, []))
    if errors:
        raise ValidationError(errors)


def _next_code(region_code: str) -> str:
    year = datetime.date.today().year
    prefix = f"{region_code}-{year}-"
    taken = Project.objects.filter(code__startswith=prefix).count()
    n = taken + 1
    while Project.objects.filter(code=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


@transaction.atomic
def project_create(*, actor, clusters: Iterable = (), code: str = "", stage_reached_on: datetime.date | None = None,
                   **fields) -> Project:
    """Register a project in 谋划 (its first StageEvent is dated `stage_reached_on`, today by default)."""
    unknown = set(fields) - set(EDITABLE_FIELDS) - set(LINK_FIELDS)
    if unknown:
        raise TypeError(f"project_create() got fields it cannot set: {sorted(unknown)}")
    region = fields.get("region")
    _require(actor, region is not None and can_edit_project_in(actor, getattr(region, "pk", region)))
    _check_texts({"code": code, **fields})
    project = Project(code=(code or "").strip() or _next_code(getattr(region, "pk", region)), **fields)
    _validate(project)
    project.save()
    project.clusters.set(list(clusters))
    today = datetime.date.today()
    reached = stage_reached_on or today
    if reached > today:
        raise ValidationError({"stage_reached_on": [_("阶段达到日期不能晚于今天")]})
    StageEvent.objects.create(project=project, from_stage="", to_stage=Stage.PLANNING, reached_on=reached,
                              evidence=_("项目入库"), actor=actor, actor_name=getattr(actor, "username", "") or _("系统"))
    audit_record(actor=actor, action=AuditAction.CREATE, obj=project, after=snapshot(project))
    return project


@transaction.atomic
def project_update(*, actor, project: Project, base_version: int, clusters: Iterable | None = None,
                   **changes) -> Project:
    """Change a project's record (not its stage: project_move_stage). Refuses a stale `base_version`.
    `chain_segment` links the project to the chain segment it fills, extends or strengthens (LINK_FIELDS)."""
    unknown = set(changes) - set(EDITABLE_FIELDS) - set(LINK_FIELDS)
    if unknown:
        raise TypeError(f"project_update() got fields it cannot change: {sorted(unknown)}")
    current = Project.objects.select_for_update().get(pk=project.pk)
    _require(actor, can_edit_project(actor, current))
    if "region" in changes:
        _require(actor, can_edit_project_in(actor, getattr(changes["region"], "pk", changes["region"])))
    if base_version != current.version:
        raise stale_edit(kind=_("项目"), changes=changes_since(current, base_version))
    _check_texts(changes)
    segment = changes.get("chain_segment")
    if segment is not None and segment.retired:
        raise ValidationError({"chain_segment": [_("产业链环节“%(name)s”已撤销，不能关联项目") % {"name": segment.name}]})
    before = snapshot(current)
    for field, value in changes.items():
        setattr(current, field, value)
    _validate(current)
    current.save()
    if clusters is not None:
        current.clusters.set(list(clusters))
    after = snapshot(current)
    if after != before:
        current.version += 1
        Project.objects.filter(pk=current.pk).update(version=current.version)
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before={**before, "version": base_version},
                     after={**after, "version": current.version})
    return current


def _resume_stage(project: Project) -> str:
    """The stage a suspended project left (the from_stage of its latest move into 停缓建)."""
    event = project.events.filter(to_stage=Stage.SUSPENDED).order_by("-reached_on", "-at", "-id").first()
    return event.from_stage if event else Stage.PLANNING


@transaction.atomic
def project_move_stage(*, actor, project: Project, to_stage: str, reached_on: datetime.date, evidence: str = "",
                       reason: str = "", base_version: int | None = None) -> StageEvent:
    """Move a project one step (or to 停缓建/退出 with a reason); the event's date is the evidence."""
    current = Project.objects.select_for_update().get(pk=project.pk)
    _require(actor, can_edit_project(actor, current))
    if base_version is not None and base_version != current.version:
        raise stale_edit(kind=_("项目"), changes=changes_since(current, base_version))
    labels = dict(Stage.choices)
    if to_stage not in labels:
        raise ValidationError({"to_stage": [_("未知的阶段“%(stage)s”") % {"stage": to_stage}]})
    if to_stage not in STAGE_MOVES[current.stage]:
        raise ValidationError({"to_stage": [_("项目处于“%(now)s”，不能直接转为“%(to)s”；阶段须逐级推进") % {
            "now": labels[current.stage], "to": labels[to_stage]}]})
    if current.stage == Stage.SUSPENDED and to_stage != Stage.WITHDRAWN and to_stage != _resume_stage(current):
        raise ValidationError({"to_stage": [_("停缓建的项目只能恢复到停建前的阶段“%(stage)s”或退出") % {
            "stage": labels[_resume_stage(current)]}]})
    reason = (reason or "").strip()
    if to_stage in EXITS and not reason:
        raise ValidationError({"reason": [_("转为“%(to)s”须填写原因") % {"to": labels[to_stage]}]})
    _check_texts({"evidence": evidence, "reason": reason})
    if len(evidence) > 200:
        raise ValidationError({"evidence": [_("依据不能超过 200 个字")]})
    today = datetime.date.today()
    last = current.events.order_by("-reached_on", "-at", "-id").values_list("reached_on", flat=True).first()
    if reached_on > today:
        raise ValidationError({"reached_on": [_("达到日期 %(day)s 晚于今天；阶段须在实际达到后记录") % {"day": reached_on}]})
    if last is not None and reached_on < last:
        raise ValidationError({"reached_on": [_("达到日期 %(day)s 早于上一次阶段变更（%(last)s）") % {
            "day": reached_on, "last": last}]})
    event = StageEvent.objects.create(
        project=current, from_stage=current.stage, to_stage=to_stage, reached_on=reached_on, evidence=evidence.strip(),
        reason=reason, actor=actor, actor_name=getattr(actor, "username", "") or _("系统"))
    before = {"stage": current.stage, "version": current.version}
    Project.objects.filter(pk=current.pk).update(stage=to_stage, version=F("version") + 1)
    project.stage, project.version = to_stage, current.version + 1
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=before,
                 after={"stage": to_stage, "version": project.version, "reached_on": str(reached_on),
                        "evidence": event.evidence, "reason": reason})
    # The closed loop of the chains: a signed 招引名录 entry lands when its project starts (开工).
    from jiqun.chains.prospect_services import LANDING_STAGES, prospects_land_for_project

    if to_stage in LANDING_STAGES:
        current.stage = to_stage
        prospects_land_for_project(actor=actor, project=current, reached_on=reached_on)
    return event


def stage_reached(project: Project) -> dict[str, datetime.date]:
    """The date each main-line stage was (last) reached, from the project's events."""
    reached: dict[str, datetime.date] = {}
    for event in project.events.order_by("reached_on", "at", "id"):
        if event.to_stage in STAGE_LINE:
            reached[event.to_stage] = event.reached_on
    return reached


@transaction.atomic
def project_plan_year(*, actor, project: Project, year: int, planned: Decimal) -> YearPlan:
    """Set the investment a project plans to complete in `year` (万元)."""
    _require(actor, can_edit_project(actor, project))
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("年度须在 2000 至 2100 之间")]})
    if planned < 0 or planned > MAX_INVESTMENT:
        raise ValidationError({"planned": [_("年度计划投资须为不小于 0 的金额（万元）")]})
    plan = YearPlan.objects.filter(project=project, year=year).first()
    before = {"year": year, "planned": str(plan.planned)} if plan else None
    if plan is None:
        plan = YearPlan.objects.create(project=project, year=year, planned=planned)
    else:
        plan.planned = planned
        plan.save(update_fields=["planned"])
    audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=plan, before=before,
                 after={"year": year, "planned": str(planned)})
    return plan


@transaction.atomic
def constraint_raise(*, actor, project: Project, kind: str, description: str, responsible_unit: str,
                     deadline: datetime.date) -> Constraint:
    """Record a constraint that keeps the project from landing, who must solve it and by when."""
    _require(actor, can_edit_project(actor, project))
    _check_texts({"description": description, "responsible_unit": responsible_unit})
    constraint = Constraint(project=project, kind=kind, description=(description or "").strip(),
                            responsible_unit=(responsible_unit or "").strip(), deadline=deadline,
                            raised_by=getattr(actor, "username", "") or _("系统"))
    constraint.full_clean()
    constraint.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=constraint, after=snapshot(constraint))
    return constraint


@transaction.atomic
def constraint_close(*, actor, constraint: Constraint, status: str, decision: str, decided_by: str = "",
                     decided_on: datetime.date | None = None, base_version: int | None = None) -> Constraint:
    """Close an open constraint as 已解决 or 无法解决, with the decision (and the meeting or document)."""
    current = Constraint.objects.select_for_update().select_related("project").get(pk=constraint.pk)
    _require(actor, can_edit_project(actor, current.project))
    if base_version is not None and base_version != current.version:
        raise stale_edit(kind=_("要素制约"), changes=changes_since(current, base_version))
    labels = dict(ConstraintStatus.choices)
    if status not in CONSTRAINT_MOVES.get(current.status, frozenset()):
        raise ValidationError({"status": [_("该要素制约已是“%(now)s”，不能再改为“%(to)s”") % {
            "now": labels[current.status], "to": labels.get(status, status)}]})
    decision = (decision or "").strip()
    if not decision:
        raise ValidationError({"decision": [_("关闭要素制约须填写解决措施或决定")]})
    _check_texts({"decision": decision, "decided_by": decided_by})
    day = decided_on or datetime.date.today()
    if day > datetime.date.today():
        raise ValidationError({"decided_on": [_("解决日期不能晚于今天")]})
    before = snapshot(current)
    current.status, current.decision, current.decided_by, current.decided_on = status, decision, decided_by.strip(), day
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=before, after=snapshot(current))
    return current
