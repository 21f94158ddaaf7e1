"""Writes for targets and supervision. Each is keyword-only, validated, atomic and audited.

Nothing here records a target as achieved: attainment is always computed (selectors.py).
"""

import hashlib
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record, snapshot
from jiqun.core.stale import changes_since, stale_edit, version_missing
from jiqun.core.text import FORBIDDEN, reject_control_characters_in
from jiqun.enterprises.models import Source
from jiqun.programmes.models import Target, Task
from jiqun.targets.models import (
    TASK_TRANSITIONS,
    ChainChecklist,
    ChecklistEvidence,
    TargetOverride,
    TaskStatus,
    TaskUpdate,
)
from jiqun.targets.permissions import can_adjust_target, can_fill_checklist, can_open_checklist, task_units
from jiqun.targets.supervision import checklist_items, task_status

EVIDENCE_EXTENSIONS = {"pdf", "ofd", "doc", "docx", "xls", "xlsx", "wps", "et", "jpg", "jpeg", "png"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
YEAR_RANGE = (2000, 2100)


def _evidence_file(upload, field: str = "evidence_file") -> tuple[ContentFile, str, str] | None:
    """Check an uploaded evidence file; return its content, original name and SHA-256."""
    if upload is None:
        return None
    name = upload.name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        raise ValidationError({field: [_("附件“%(name)s”的类型不受支持，请上传 %(extensions)s 文件")
                                       % {"name": name, "extensions": "、".join(sorted(EVIDENCE_EXTENSIONS))}]})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({field: [_("附件“%(name)s”超过 20MB") % {"name": name}]})
    content = upload.read()
    return ContentFile(content), name, hashlib.sha256(content).hexdigest()


# --- target adjustments ----------------------------------------------------------------------------

@transaction.atomic
def target_override_set(
    *, actor, target: Target, reason: str, value: Decimal | None = None, year: int | None = None,
    comparator: str = "", baseline_value: Decimal | None = None, baseline_year: int | None = None,
) -> TargetOverride:
    """Adjust a pack target (province admin): value, year, comparator or baseline, with the reason."""
    if not can_adjust_target(actor):
        raise PermissionDenied(_("只有省级管理员可以调整目标"))
    where = _("目标 %(programme)s %(code)s") % {"programme": target.programme.code, "code": target.code}
    reject_control_characters_in(where, reason=reason, comparator=comparator)
    errors: dict[str, list[str]] = {}
    if not (reason or "").strip():
        errors["reason"] = [_("%(where)s：请填写调整依据（文件、会议纪要或批示及文号）") % {"where": where}]
    if value is None and year is None and not comparator and baseline_value is None and baseline_year is None:
        errors["__all__"] = [_("%(where)s：没有填写任何调整内容") % {"where": where}]
    if value is not None and value < 0:
        errors["value"] = [_("%(where)s：目标值不能为负数（%(value)s）") % {"where": where, "value": value}]
    for key, number in (("year", year), ("baseline_year", baseline_year)):
        if number is not None and not YEAR_RANGE[0] <= number <= YEAR_RANGE[1]:
            errors[key] = [_("%(where)s：年份 %(year)s 不在 %(first)s—%(last)s 之间")
                           % {"where": where, "year": number, "first": YEAR_RANGE[0], "last": YEAR_RANGE[1]}]
    if (baseline_value is None) != (baseline_year is None):
        errors["baseline_year"] = [_("%(where)s：基数和基数年份须同时填写") % {"where": where}]
    effective_year = year or target.year
    if baseline_year is not None and baseline_year >= effective_year:
        errors.setdefault("baseline_year", []).append(
            _("%(where)s：基数年份 %(baseline_year)s 应早于目标年 %(year)s")
            % {"where": where, "baseline_year": baseline_year, "year": effective_year})
    if errors:
        raise ValidationError(errors)
    override = TargetOverride.objects.filter(target=target).first()
    before = snapshot(override) if override else None
    override = override or TargetOverride(target=target)
    override.value, override.year, override.comparator = value, year, comparator or ""
    override.baseline_value, override.baseline_year = baseline_value, baseline_year
    override.reason, override.updated_by = reason.strip(), getattr(actor, "username", "")
    override.full_clean()
    override.save()
    audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=override,
                 object_repr=f"调整目标 {target.programme.code} {target.code}", before=before,
                 after=snapshot(override))
    return override


@transaction.atomic
def target_override_clear(*, actor, target: Target) -> None:
    """Go back to the figures of the programme's document."""
    if not can_adjust_target(actor):
        raise PermissionDenied(_("只有省级管理员可以调整目标"))
    override = TargetOverride.objects.filter(target=target).first()
    if override is None:
        return
    before = snapshot(override)
    override.delete()
    audit_record(actor=actor, action=AuditAction.DELETE, object_type="targets.targetoverride",
                 object_id=str(before["id"]), object_repr=f"恢复目标 {target.programme.code} {target.code} 文件原值",
                 before=before)


# --- task updates ----------------------------------------------------------------------------------

@transaction.atomic
def task_update_create(
    *, actor, task: Task, status: str, progress: str, unit: str = "", evidence: str = "", evidence_file=None,
    source: str = Source.MANUAL,
) -> TaskUpdate:
    """Report a task's progress as one of its units; completing it needs evidence."""
    where = _("任务 %(programme)s %(code)s“%(title)s”") % {"programme": task.programme.code, "code": task.code,
                                                           "title": task.title}
    units = task_units(actor, task)
    if not units:
        organisation = getattr(actor, "organisation", "") or _("未填写单位")
        raise PermissionDenied(_("%(where)s：只有牵头单位或责任单位可以报送进展（您的单位：%(organisation)s；本任务单位：%(units)s）")
                               % {"where": where, "organisation": organisation,
                                  "units": "、".join([*task.lead_units, *task.responsible_units])})
    reject_control_characters_in(where, progress=progress, unit=unit, evidence=evidence)
    Task.objects.select_for_update().filter(pk=task.pk).first()
    current = task_status(task)
    errors: dict[str, list[str]] = {}
    if status not in TaskStatus.values or status == TaskStatus.NOT_STARTED:
        allowed = "、".join(f"{s}（{TaskStatus(s).label}）" for s in sorted(TASK_TRANSITIONS[TaskStatus.NOT_STARTED]))
        errors["status"] = [_("%(where)s：状态“%(status)s”无效，应为 %(allowed)s")
                            % {"where": where, "status": status, "allowed": allowed}]
    elif status not in TASK_TRANSITIONS[current]:
        errors["status"] = [_("%(where)s：已是“%(current)s”，不能再改为“%(status)s”")
                            % {"where": where, "current": TaskStatus(current).label, "status": TaskStatus(status).label}]
    if not (progress or "").strip():
        errors["progress"] = [_("%(where)s：请填写进展情况") % {"where": where}]
    unit = unit or units[0]
    if unit not in units:
        errors["unit"] = [_("%(where)s：您不能以“%(unit)s”的名义报送，可选：%(units)s")
                          % {"where": where, "unit": unit, "units": "、".join(units)}]
    stored = None
    try:
        stored = _evidence_file(evidence_file)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if status == TaskStatus.COMPLETED and not (evidence or "").strip() and stored is None:
        errors.setdefault("evidence", []).append(_("%(where)s：报告“已完成”须附佐证材料（说明或附件）") % {"where": where})
    if errors:
        raise ValidationError(errors)
    update = TaskUpdate(
        task=task, from_status=current, status=status, unit=unit, region_id=actor.region_id,
        progress=progress.strip(), evidence=(evidence or "").strip(), reported_by=actor,
        reported_by_name=actor.username, source=source,
    )
    if stored is not None:
        content, update.evidence_name, update.sha256 = stored
    update.full_clean(exclude=["evidence_file"])
    if stored is not None:
        update.evidence_file.save(update.evidence_name, content, save=False)
    update.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=update, object_repr=f"任务进展 {task.programme.code} "
                 f"{task.code} {update.get_status_display()}", after=snapshot(update, fields=[
                     "task", "from_status", "status", "unit", "progress", "evidence", "evidence_name", "sha256"]))
    return update


# --- chain checklists ------------------------------------------------------------------------------

def _check_chain_for(actor, chain, cluster, where: str) -> list[str]:
    """Why a chain cannot carry a sheet of `cluster` for `actor` (empty when it can): the actor must see it
    (scoping) and it must serve the cluster. A chain out of scope is named by its number only."""
    from jiqun.chains.models import Chain

    visible = Chain.objects.all() if actor is None else Chain.objects.for_user(actor)  # None: the system
    if chain is None or not visible.filter(pk=chain.pk).exists():
        return [_("%(where)s：产业链（编号 %(id)s）不存在或不在您的范围内")
                % {"where": where, "id": getattr(chain, "pk", None) or "—"}]
    if not chain.clusters.filter(pk=cluster.pk).exists():
        return [_("%(where)s：产业链“%(chain)s”不服务于集群“%(cluster)s”，请先在产业链登记中把该集群加入所属集群")
                % {"where": where, "chain": chain.name, "cluster": cluster.name}]
    return []


def _sheet_data(sheet: ChainChecklist) -> dict:
    return {"programme": sheet.programme_id, "checklist_code": sheet.checklist_code, "cluster": sheet.cluster_id,
            "chain": sheet.chain, "chain_record": sheet.chain_record_id, "region": sheet.region_id,
            "chief": sheet.chief, "source": sheet.source, "version": sheet.version}


@transaction.atomic
def checklist_create(
    *, actor, programme, checklist_code: str, cluster, chain, region, chief: str = "", chain_name: str = "",
    source: str = Source.MANUAL,
) -> ChainChecklist:
    """Open a chain's checklist sheet (e.g. 九个一) for the county or zone that runs the chain.

    `chain` is a chain of the registry (jiqun.chains.Chain) that the actor sees and that serves `cluster`;
    the sheet keeps its name as well, and the 链长 defaults to the chain's. Only the system (actor None: the
    demo, a load of sheets kept before the registry) may open a sheet naming its chain by `chain_name` alone,
    to be linked later with `checklist_chain_set`.
    """
    written = (chain_name or "").strip()
    where = _("产业链“%(chain)s”") % {"chain": getattr(chain, "name", "") or FORBIDDEN.sub("", written)
                                     or _("（未选择）")}
    reject_control_characters_in(where, chief=chief, checklist_code=checklist_code, chain_name=chain_name)
    errors: dict[str, list[str]] = {}
    if not checklist_items(programme, checklist_code):
        errors["checklist_code"] = [_("%(where)s：培育工程 %(programme)s 没有清单“%(checklist)s”")
                                    % {"where": where, "programme": programme.code, "checklist": checklist_code}]
    if cluster.programme_id != programme.pk:
        errors["cluster"] = [_("%(where)s：集群“%(cluster)s”不属于培育工程 %(programme)s")
                             % {"where": where, "cluster": cluster.name, "programme": programme.code}]
    if chain is None and actor is None and written:
        name = written
    else:
        chain_errors = _check_chain_for(actor, chain, cluster, where) if chain is not None else [
            _("%(where)s：请选择产业链登记中服务于该集群的产业链") % {"where": where}]
        if chain_errors:
            errors["chain"] = chain_errors
        name = getattr(chain, "name", "")
    if errors:
        raise ValidationError(errors)
    if actor is not None and not can_open_checklist(actor, region.code):
        raise PermissionDenied(_("%(where)s：只能为本人范围内的县市区建立清单（%(region)s不在您的范围内）")
                               % {"where": where, "region": region.name})
    same = Q(chain=name) | (Q(chain_record=chain) if chain is not None else Q(pk__in=[]))
    if ChainChecklist.objects.filter(same, checklist_code=checklist_code, cluster=cluster, region=region).exists():
        raise ValidationError({"chain": [_("%(where)s：%(region)s已为“%(cluster)s”建立该链的清单")
                                         % {"where": where, "region": region.name, "cluster": cluster.name}]})
    sheet = ChainChecklist(programme=programme, checklist_code=checklist_code, cluster=cluster, chain=name,
                           chain_record=chain, region=region,
                           chief=(chief or "").strip() or getattr(chain, "chief_name", ""),
                           created_by=getattr(actor, "username", "") or "系统", source=source)
    sheet.full_clean()
    sheet.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=sheet, after=_sheet_data(sheet))
    return sheet


@transaction.atomic
def checklist_chain_set(*, actor, sheet: ChainChecklist, chain, base_version: int | None) -> ChainChecklist:
    """Attach a sheet to a chain of the registry (a sheet opened with a written name only, or linked wrongly);
    `base_version` is the sheet's version the edit was based on. The written name stays on the sheet's history.
    The system (actor None) links the demo's sheets once the demo chains exist."""
    if actor is not None and not can_fill_checklist(actor, sheet):
        raise PermissionDenied(_("%(sheet)s：只有%(region)s或其上级、集群促进机构可以修改")
                               % {"sheet": sheet, "region": sheet.region.name})
    current = ChainChecklist.objects.select_for_update().get(pk=sheet.pk)
    kind = _("产业链清单")
    if base_version is None:
        raise version_missing(kind=kind)
    if base_version != current.version:
        raise stale_edit(kind=kind, changes=changes_since(current, base_version))
    where = str(current)
    chain_errors = _check_chain_for(actor, chain, current.cluster, where)
    if chain_errors:
        raise ValidationError({"chain": chain_errors})
    if ChainChecklist.objects.filter(checklist_code=current.checklist_code, cluster=current.cluster_id,
                                     region=current.region_id, chain_record=chain).exclude(pk=current.pk).exists():
        raise ValidationError({"chain": [_("%(where)s：%(region)s已为“%(cluster)s”建立产业链“%(chain)s”的清单")
                                         % {"where": where, "region": current.region.name,
                                            "cluster": current.cluster.name, "chain": chain.name}]})
    if current.chain_record_id == chain.pk:
        return current
    before = _sheet_data(current)
    current.chain_record = chain
    current.version += 1
    current.full_clean()
    current.save()
    after = _sheet_data(current)
    keys = [k for k in after if before[k] != after[k]]
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, object_repr=f"{current} 关联产业链",
                 before={k: before[k] for k in keys}, after={k: after[k] for k in keys})
    return current


@transaction.atomic
def checklist_evidence_set(
    *, actor, sheet: ChainChecklist, item_code: str, done: bool, evidence: str = "", evidence_file=None,
    source: str = Source.MANUAL,
) -> ChecklistEvidence:
    """Record whether one item is in place for a chain; an item in place needs evidence."""
    if not can_fill_checklist(actor, sheet):
        raise PermissionDenied(_("%(sheet)s：只有%(region)s或其上级、集群促进机构可以填报")
                               % {"sheet": sheet, "region": sheet.region.name})
    reject_control_characters_in(str(sheet), evidence=evidence, item_code=item_code)
    items = {item.code: item for item in checklist_items(sheet.programme, sheet.checklist_code)}
    if item_code not in items:
        raise ValidationError({"item_code": [_("%(sheet)s：清单没有第“%(item)s”项，应为 %(items)s")
                                             % {"sheet": sheet, "item": item_code, "items": "、".join(items)}]})
    where = _("%(sheet)s 第%(item)s项“%(name)s”") % {"sheet": sheet, "item": item_code, "name": items[item_code].name}
    entry = ChecklistEvidence.objects.filter(sheet=sheet, item_code=item_code).first()
    stored = _evidence_file(evidence_file)
    has_file = stored is not None or bool(entry and entry.evidence_file)
    if done and not (evidence or "").strip() and not has_file:
        raise ValidationError({"evidence": [_("%(where)s：标记为已落实须填写佐证材料（说明或附件）") % {"where": where}]})
    before = snapshot(entry, fields=["done", "evidence", "evidence_name", "sha256"]) if entry else None
    entry = entry or ChecklistEvidence(sheet=sheet, item_code=item_code)
    entry.done, entry.evidence = done, (evidence or "").strip()
    entry.updated_by, entry.source = getattr(actor, "username", ""), source
    if stored is not None:
        content, entry.evidence_name, entry.sha256 = stored
        entry.evidence_file.save(entry.evidence_name, content, save=False)
    entry.full_clean(exclude=["evidence_file"])
    entry.save()
    after = snapshot(entry, fields=["done", "evidence", "evidence_name", "sha256"])
    if after != before:
        audit_record(actor=actor, action=AuditAction.UPDATE if before else AuditAction.CREATE, obj=entry,
                     object_repr=where[:200], before=before, after=after)
    return entry
