"""Writes of the incident register: record, correct, withdraw. Each checks permission, is atomic and writes one
audit entry; nothing is ever deleted."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.clusters.models import Cluster
from jiqun.core.stale import changes_since, stale_edit, version_missing
from jiqun.core.text import reject_control_characters_in
from jiqun.enterprises.models import Enterprise
from jiqun.incidents.models import INCIDENT_MOVES, Incident, IncidentKind, IncidentStatus, Severity
from jiqun.incidents.permissions import can_record_incident

FIRST_DAY = datetime.date(2000, 1, 1)
EDITABLE_FIELDS = ("enterprise", "kind", "severity", "occurred_on", "description", "document")
REASON_LENGTH = 200


def _require(actor, cluster: Cluster) -> None:
    """None is the system itself (the demo, the command line without --user)."""
    if actor is not None and not can_record_incident(actor, cluster):
        raise PermissionDenied(_("只有省级管理员或集群所在市的市级用户可以登记、更正或撤销事故与失信记录"))


def _check(cluster: Cluster, values: dict) -> None:
    """Every problem of the values at once, each on its field, in the user's language."""
    errors: dict[str, list[str]] = {}
    if values["kind"] not in IncidentKind.values:
        errors["kind"] = [_("类别“%(value)s”无效，可选：%(choices)s") % {
            "value": values["kind"], "choices": "、".join(f"{v}（{label}）" for v, label in IncidentKind.choices)}]
    if values["severity"] not in Severity.values:
        errors["severity"] = [_("等级“%(value)s”无效，可选：%(choices)s") % {
            "value": values["severity"], "choices": "、".join(f"{v}（{label}）" for v, label in Severity.choices)}]
    day = values["occurred_on"]
    if not isinstance(day, datetime.date):
        errors["occurred_on"] = [_("请填写发生日期（YYYY-MM-DD）")]
    elif day > timezone.localdate():
        errors["occurred_on"] = [_("发生日期 %(day)s 晚于今天") % {"day": day}]
    elif day < FIRST_DAY:
        errors["occurred_on"] = [_("发生日期 %(day)s 早于 2000 年") % {"day": day}]
    if not (values["description"] or "").strip():
        errors["description"] = [_("请填写事件概况")]
    if not (values["document"] or "").strip():
        errors["document"] = [_("请填写认定或通报该事件的文件文号")]
    enterprise = values["enterprise"]
    if enterprise is not None and not enterprise.memberships.filter(cluster=cluster).exists():
        errors["enterprise"] = [_("企业“%(enterprise)s”不是集群“%(cluster)s”的成员企业") % {
            "enterprise": enterprise.name, "cluster": cluster.name}]
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("事故与失信记录"), description=values["description"], document=values["document"])


def _data(incident: Incident) -> dict:
    return {"cluster": incident.cluster_id, "enterprise": incident.enterprise_id, "kind": incident.kind,
            "severity": incident.severity, "occurred_on": incident.occurred_on.isoformat(),
            "description": incident.description, "document": incident.document, "version": incident.version}


@transaction.atomic
def incident_create(*, actor, cluster: Cluster, kind: str, severity: str, occurred_on: datetime.date,
                    description: str, document: str, enterprise: Enterprise | None = None) -> Incident:
    """Record an incident of `cluster` (and of one of its member enterprises)."""
    _require(actor, cluster)
    values = {"enterprise": enterprise, "kind": kind, "severity": severity, "occurred_on": occurred_on,
              "description": description, "document": document}
    _check(cluster, values)
    incident = Incident(cluster=cluster, enterprise=enterprise, kind=kind, severity=severity, occurred_on=occurred_on,
                        description=description.strip(), document=document.strip(),
                        recorded_by=getattr(actor, "username", "") or "系统",
                        recorded_organisation=getattr(actor, "organisation", "") or "")
    incident.full_clean()
    incident.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=incident, after=_data(incident))
    return incident


@transaction.atomic
def incident_update(*, actor, incident: Incident, base_version: int | None, **changes) -> Incident:
    """Correct a recorded incident; `base_version` is the version the form or request was based on."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"incident_update() got fields it cannot change: {sorted(unknown)}")
    current = Incident.objects.select_for_update().select_related("cluster").get(pk=incident.pk)
    _require(actor, current.cluster)
    if base_version is None:
        raise version_missing(kind=_("记录"))
    if base_version != current.version:
        raise stale_edit(kind=_("记录"), changes=changes_since(current, base_version))
    if current.status != IncidentStatus.RECORDED:
        raise ValidationError(_("该记录已撤销，不能更正"))
    before = _data(current)
    values = {field: changes.get(field, getattr(current, field)) for field in EDITABLE_FIELDS}
    _check(current.cluster, values)
    for field, value in values.items():
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    current.version += 1
    current.full_clean()
    current.save()
    after = _data(current)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current,
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v})
    return current


@transaction.atomic
def incident_withdraw(*, actor, incident: Incident, reason: str, base_version: int | None = None) -> Incident:
    """Withdraw an incident with a reason (never deleted); it vetoes no run made from then on."""
    current = Incident.objects.select_for_update().select_related("cluster").get(pk=incident.pk)
    _require(actor, current.cluster)
    if base_version is not None and base_version != current.version:
        raise stale_edit(kind=_("记录"), changes=changes_since(current, base_version))
    if IncidentStatus.WITHDRAWN not in INCIDENT_MOVES[current.status]:
        raise ValidationError(_("该记录已于 %(at)s 由 %(who)s 撤销，不能再次撤销") % {
            "at": timezone.localtime(current.withdrawn_at).strftime("%Y-%m-%d %H:%M") if current.withdrawn_at else "—",
            "who": current.withdrawn_by or _("系统")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("撤销须填写理由")]})
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": [_("撤销理由最多 %(n)s 个字符（现为 %(length)s 个）") % {
            "n": REASON_LENGTH, "length": len(reason)}]})
    reject_control_characters_in(_("撤销理由"), reason=reason)
    current.status = IncidentStatus.WITHDRAWN
    current.withdrawn_reason = reason
    current.withdrawn_by = getattr(actor, "username", "") or "系统"
    current.withdrawn_at = timezone.now()
    current.version += 1
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current,
                 before={"status": IncidentStatus.RECORDED, "version": current.version - 1},
                 after={"status": IncidentStatus.WITHDRAWN, "reason": reason, "version": current.version})
    return current
