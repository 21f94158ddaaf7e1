"""Writes to the 招引名录 (investment-target list): entries, contact records and the moves of an entry.

The loop gap → target → project → gap closed:
- an entry is made only on a segment the chain needs: rated 弱 or 缺 by `jiqun.chains.analysis.analyse_chain`,
  or marked 延链; a strong segment is refused with a message naming its rating;
- an entry moves along PROSPECT_MOVES (线索 → 接洽 → 签约 → 落地, or 放弃 with a reason), one event per move;
  a contact (a visit, a call, a meeting) is an event whose status stays as it was;
- signing (`prospect_sign`) links a project of the library or creates one through
  `jiqun.projects.services.project_create`, on the segment, in the chain's region (or a county inside it), with
  the chain's clusters and the company as investor;
- 落地 is stored, not computed on read: `jiqun.projects.services.project_move_stage` calls
  `prospects_land_for_project` when the linked project reaches 开工 (or later), in the same transaction, and the
  entry moves to 落地 with an event dated the day the project started. Signing a project that has already
  started lands the entry at once. Nobody moves an entry to 落地 by hand;
- when the project reaches 投产, `analyse_chain` counts it on the segment, so the segment's rating changes.

Every service is atomic, checks `jiqun.chains.permissions.can_edit_prospects`, carries the version it was based
on where it edits, and writes one audit entry.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains.models import (
    PROSPECT_MOVES,
    ContactWay,
    OutsideCompany,
    Priority,
    Prospect,
    ProspectEvent,
    ProspectStatus,
    Segment,
)
from jiqun.chains.permissions import can_edit_prospects
from jiqun.core.stale import changes_since, stale_edit, version_missing
from jiqun.core.text import reject_control_characters_in
from jiqun.enterprises.models import Source

UPDATE_FIELDS = ("reason", "priority", "owner_unit")
OPEN_STATUSES = frozenset({ProspectStatus.LEAD, ProspectStatus.CONTACT, ProspectStatus.SIGNED})
# Reaching any of these stages of the project library lands a signed entry (开工 or later).
LANDING_STAGES = frozenset({"started", "completed", "producing"})
# The rating of a segment an entry may be made for (strong segments need none, unless they extend the chain).
NEEDED_RATINGS = frozenset({"weak", "missing"})


def _who(actor) -> str:
    return getattr(actor, "username", "") or _("系统")


def _require(actor, chain) -> None:
    """None is the system itself (the demo, the project library's stage move)."""
    if actor is not None and not can_edit_prospects(actor, chain):
        raise PermissionDenied(_("您无权修改该产业链的招引名录；招引名录由产业链牵头区划、所属集群的促进机构或省级管理员维护"))


def _check_version(current: Prospect, base_version: int | None) -> None:
    if base_version is None:
        raise version_missing(kind=_("招引名录条目"))
    if base_version != current.version:
        raise stale_edit(kind=_("招引名录条目"), changes=changes_since(current, base_version))


def _data(prospect: Prospect) -> dict:
    return {"segment": prospect.segment_id, "company": prospect.company_id, "reason": prospect.reason,
            "priority": prospect.priority, "status": prospect.status, "project": prospect.project_id,
            "owner_unit": prospect.owner_unit, "version": prospect.version}


def _labels() -> dict[str, str]:
    return dict(ProspectStatus.choices)


def segment_verdict(segment: Segment):
    """The analysis's verdict on a segment (its rating, need and the inputs of the rating), or None."""
    from jiqun.chains.analysis import analyse_chain

    return analyse_chain(segment.chain).by_code().get(segment.code)


def segment_needs_prospects(segment: Segment) -> bool:
    """Whether a 招引名录 entry may be made for the segment: rated 弱/缺, or a 延链 segment."""
    if segment.retired:
        return False
    if segment.is_extension:
        return True
    verdict = segment_verdict(segment)
    return verdict is not None and verdict.rating in NEEDED_RATINGS


def _check_day(prospect: Prospect, on: datetime.date, field: str = "on") -> None:
    if not isinstance(on, datetime.date):
        raise ValidationError({field: [_("请填写日期")]})
    today = datetime.date.today()
    if on > today:
        raise ValidationError({field: [_("日期 %(day)s 晚于今天；请在发生后记录") % {"day": on}]})
    last = prospect.events.order_by("-on", "-pk").values_list("on", flat=True).first() if prospect.pk else None
    if last is not None and on < last:
        raise ValidationError({field: [_("日期 %(day)s 早于该条目上一条记录（%(last)s）") % {"day": on, "last": last}]})


def _check_texts(**texts: str) -> None:
    reject_control_characters_in(_("招引名录"), **{k: v or "" for k, v in texts.items()})


def _event(prospect: Prospect, *, from_status: str, to_status: str, on: datetime.date, note: str = "",
           way: str = "", actor=None) -> ProspectEvent:
    event = ProspectEvent(prospect=prospect, from_status=from_status, to_status=to_status, on=on, way=way,
                          note=(note or "").strip(), by=_who(actor))
    event.full_clean()
    event.save()
    return event


# --- entries ------------------------------------------------------------------------------------------------

@transaction.atomic
def prospect_create(*, actor, segment: Segment, company: OutsideCompany | None = None, company_name: str = "",
                    company_place: str = "", company_credit_code: str | None = None, reason: str = "",
                    priority: str = Priority.MEDIUM, owner_unit: str = "", on: datetime.date | None = None,
                    source: str = Source.MANUAL) -> Prospect:
    """Put a company to attract on a weak, missing or 延链 segment (线索). The company is an outside company,
    picked (`company`) or registered here (`company_name`, `company_place`, `company_credit_code`)."""
    segment = Segment.objects.select_related("chain").get(pk=segment.pk)
    _require(actor, segment.chain)
    errors: dict[str, list[str]] = {}
    if segment.retired:
        raise ValidationError({"segment": [_("环节“%(name)s”已撤销") % {"name": segment.name}]})
    if not segment.is_extension:
        verdict = segment_verdict(segment)
        if verdict is None or verdict.rating not in NEEDED_RATINGS:
            from jiqun.chains.analysis import Rating

            rating = dict(Rating.choices).get(verdict.rating if verdict else "", "—")
            raise ValidationError({"segment": [
                _("环节“%(name)s”评级为“%(rating)s”，招引名录只列评级为“弱”或“缺”的环节和延链环节") % {
                    "name": segment.name, "rating": rating}]})
    if priority not in Priority.values:
        errors["priority"] = [_("优先级“%(value)s”无效，可选：高、中、低") % {"value": priority}]
    if company is None and not (company_name or "").strip():
        errors["company"] = [_("请选择一家外地企业，或填写新企业的名称")]
    if company is not None and (company_name or "").strip():
        errors["company"] = [_("请选择已登记的外地企业或填写新企业名称（二选一）")]
    if company is not None and Prospect.objects.filter(segment=segment, company=company).exists():
        errors["company"] = [_("“%(name)s”已在环节“%(segment)s”的招引名录中") % {
            "name": company.name, "segment": segment.name}]
    if errors:
        raise ValidationError(errors)
    _check_texts(reason=reason, owner_unit=owner_unit)
    if company is None:
        from jiqun.chains.services import outside_company_create

        name = company_name.strip()
        same = OutsideCompany.objects.filter(name=name)
        if company_credit_code:
            same = OutsideCompany.objects.filter(credit_code=company_credit_code.strip().upper())
        company = same.first() if same.count() == 1 else None
        if company is not None and Prospect.objects.filter(segment=segment, company=company).exists():
            raise ValidationError({"company": [_("“%(name)s”已在环节“%(segment)s”的招引名录中") % {
                "name": company.name, "segment": segment.name}]})
        if company is None:
            company = outside_company_create(actor=actor, name=name, place=company_place,
                                             credit_code=company_credit_code, source=source)
    prospect = Prospect(segment=segment, company=company, reason=(reason or "").strip(), priority=priority,
                        owner_unit=(owner_unit or "").strip(), source=source, created_by=_who(actor))
    prospect.full_clean()
    day = on or datetime.date.today()
    _check_day(prospect, day)
    prospect.save()
    _event(prospect, from_status="", to_status=ProspectStatus.LEAD, on=day, note=_("列入招引名录"), actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=prospect, after=_data(prospect))
    return prospect


@transaction.atomic
def prospect_update(*, actor, prospect: Prospect, base_version: int | None, **changes) -> Prospect:
    """Change an entry's reason, priority or responsible unit (its status moves by the services below)."""
    unknown = set(changes) - set(UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"prospect_update() got fields it cannot change: {sorted(unknown)}")
    current = Prospect.objects.select_for_update().select_related("segment__chain").get(pk=prospect.pk)
    _require(actor, current.segment.chain)
    _check_version(current, base_version)
    if "priority" in changes and changes["priority"] not in Priority.values:
        raise ValidationError({"priority": [_("优先级“%(value)s”无效，可选：高、中、低") % {"value": changes["priority"]}]})
    _check_texts(**{k: v for k, v in changes.items() if k != "priority"})
    before = _data(current)
    for field, value in changes.items():
        setattr(current, field, (value or "").strip())
    current.version += 1
    current.full_clean()
    current.save()
    after = _data(current)
    keys = [k for k in after if before[k] != after[k]]
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before={k: before[k] for k in keys},
                 after={k: after[k] for k in keys})
    return current


@transaction.atomic
def prospect_contact(*, actor, prospect: Prospect, on: datetime.date, way: str, note: str) -> ProspectEvent:
    """Record a contact with the company (a visit, a call, a meeting): an event whose status stays as it was.
    It changes nothing of the entry itself, so it needs no version."""
    current = Prospect.objects.select_for_update().select_related("segment__chain").get(pk=prospect.pk)
    _require(actor, current.segment.chain)
    errors: dict[str, list[str]] = {}
    if current.status == ProspectStatus.DROPPED:
        raise ValidationError(_("该条目已放弃，不能再记录接洽；如重新接触，请新建条目"))
    if way not in ContactWay.values:
        errors["way"] = [_("接洽方式“%(value)s”无效，可选：%(choices)s") % {
            "value": way, "choices": "、".join(str(label) for label in ContactWay.labels)}]
    if not (note or "").strip():
        errors["note"] = [_("请填写接洽情况")]
    if errors:
        raise ValidationError(errors)
    _check_texts(note=note)
    _check_day(current, on)
    event = _event(current, from_status=current.status, to_status=current.status, on=on, note=note, way=way,
                   actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=event,
                 after={"prospect": current.pk, "status": current.status, "on": str(on), "way": way,
                        "note": event.note})
    return event


def _check_move(current: Prospect, to_status: str) -> None:
    labels = _labels()
    if to_status not in labels:
        raise ValidationError({"to_status": [_("未知的状态“%(status)s”") % {"status": to_status}]})
    if to_status not in PROSPECT_MOVES[current.status]:
        allowed = "、".join(str(labels[s]) for s in sorted(PROSPECT_MOVES[current.status])) or _("无")
        raise ValidationError({"to_status": [_("条目处于“%(now)s”，不能转为“%(to)s”（可转为：%(allowed)s）") % {
            "now": labels[current.status], "to": labels[to_status], "allowed": allowed}]})


def _move(actor, current: Prospect, to_status: str, on: datetime.date, note: str, *, project=None) -> Prospect:
    before = _data(current)
    _event(current, from_status=current.status, to_status=to_status, on=on, note=note, actor=actor)
    current.status = to_status
    if project is not None:
        current.project = project
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current,
                 before={"status": before["status"], "project": before["project"], "version": before["version"]},
                 after={"status": current.status, "project": current.project_id, "version": current.version,
                        "on": str(on), "note": (note or "").strip()})
    return current


@transaction.atomic
def prospect_move(*, actor, prospect: Prospect, to_status: str, on: datetime.date, note: str = "",
                  base_version: int | None) -> Prospect:
    """Move an entry to 接洽 or 放弃 (放弃 needs a reason). 签约 is `prospect_sign` (it needs a project);
    落地 follows the project's start and is never set by hand."""
    current = Prospect.objects.select_for_update().select_related("segment__chain").get(pk=prospect.pk)
    _require(actor, current.segment.chain)
    _check_version(current, base_version)
    _check_move(current, to_status)
    if to_status == ProspectStatus.SIGNED:
        raise ValidationError({"to_status": [_("签约须关联或新建一个项目，请使用“签约”操作")]})
    if to_status == ProspectStatus.LANDED:
        raise ValidationError({"to_status": [_("落地以签约项目开工为准：项目库中的项目转为“开工”时自动落地")]})
    note = (note or "").strip()
    if to_status == ProspectStatus.DROPPED and not note:
        raise ValidationError({"note": [_("放弃须填写原因")]})
    _check_texts(note=note)
    _check_day(current, on)
    return _move(actor, current, to_status, on, note)


@transaction.atomic
def prospect_sign(*, actor, prospect: Prospect, on: datetime.date, base_version: int | None, project=None,
                  project_name: str = "", total_investment: Decimal | None = None, region=None,
                  kind: str = "investment", note: str = "") -> Prospect:
    """签约: link an existing project of the library (`project`), or create one on the segment: in the chain's
    region (or `region`, a county inside it), with the chain's clusters, the company as investor and `on` as
    the signing day. A project that has already started lands the entry at once."""
    from jiqun.projects.models import Project
    from jiqun.projects.services import project_create, project_update
    from jiqun.regions.models import is_within

    current = Prospect.objects.select_for_update().select_related("segment__chain", "company").get(pk=prospect.pk)
    segment, chain = current.segment, current.segment.chain
    _require(actor, chain)
    _check_version(current, base_version)
    _check_move(current, ProspectStatus.SIGNED)
    if segment.retired:
        raise ValidationError({"segment": [_("环节“%(name)s”已撤销，不能再签约；请放弃本条目或在新环节上新建条目") % {
            "name": segment.name}]})
    note = (note or "").strip()
    _check_texts(note=note, project_name=project_name)
    _check_day(current, on)
    if project is not None:
        if project_name or total_investment is not None or region is not None:
            raise ValidationError({"project": [_("请选择已有项目，或填写新项目的信息（二选一）")]})
        project = Project.objects.select_for_update().get(pk=project.pk)
        if not is_within(project.region_id, chain.region_id):
            raise ValidationError({"project": [_("项目“%(project)s”不在产业链牵头区划“%(region)s”内，不能用于本链的签约") % {
                "project": project.name, "region": chain.region.name}]})
        if project.chain_segment_id not in (None, segment.pk):
            raise ValidationError({"project": [_("项目“%(project)s”已关联环节“%(other)s”，不能再用于环节“%(segment)s”") % {
                "project": project.name, "other": project.chain_segment, "segment": segment}]})
        if project.chain_segment_id is None:
            project = project_update(actor=actor, project=project, base_version=project.version,
                                     chain_segment=segment)
    else:
        errors: dict[str, list[str]] = {}
        if total_investment is None:
            errors["total_investment"] = [_("新建项目须填写总投资（万元）")]
        region = region or chain.region
        if not is_within(region.pk, chain.region_id):
            errors["region"] = [_("项目所在区划须在产业链牵头区划“%(region)s”内") % {"region": chain.region.name}]
        if errors:
            raise ValidationError(errors)
        project = project_create(
            actor=actor, clusters=list(chain.clusters.all()),
            name=(project_name or "").strip() or _("%(company)s%(segment)s项目") % {
                "company": current.company.name, "segment": segment.name},
            region=region, investor_name=current.company.name, total_investment=total_investment, kind=kind,
            segment=segment.name[:80], chain_segment=segment, signed_on=on,
            source=_("招引名录：%(chain)s·%(segment)s") % {"chain": chain.name, "segment": segment.name},
            stage_reached_on=on)
    current = _move(actor, current, ProspectStatus.SIGNED, on, note, project=project)
    if project.stage in LANDING_STAGES:
        _land(actor, current, on, _("签约时项目已开工"))
    return current


def _land(actor, current: Prospect, on: datetime.date, note: str) -> Prospect:
    last = current.events.order_by("-on", "-pk").values_list("on", flat=True).first()
    return _move(actor, current, ProspectStatus.LANDED, max(on, last) if last else on, note)


@transaction.atomic
def prospects_land_for_project(*, actor, project, reached_on: datetime.date) -> list[Prospect]:
    """Land the signed entries of a project that has reached 开工 (or later): called by
    `jiqun.projects.services.project_move_stage` in its transaction. The project move was allowed, so no
    permission of the chain is asked; the event and the audit entry name who moved the project."""
    if project.stage not in LANDING_STAGES:
        return []
    landed = []
    for current in (Prospect.objects.select_for_update().select_related("segment__chain")
                    .filter(project=project, status=ProspectStatus.SIGNED).order_by("pk")):
        landed.append(_land(actor, current, reached_on, _("签约项目开工")))
    return landed
