"""Writes to the chain registry: chains, their segment trees, outside companies, placements and supply links.

Each is atomic, checks permission (`jiqun.chains.permissions`), carries the version it was based on where it
edits, and writes one audit entry. A change of the tree (a segment added, moved or retired) raises the chain's
`structure_version` and keeps the tree before the change as a ChainRevision. Nothing referred to is deleted:
a segment is retired; a placement or a supply link that was entered by mistake is removed with its values kept
in the audit log. The 招引名录's writes are in `jiqun.chains.prospect_services`.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains.models import (
    Chain,
    ChainRevision,
    LocalScope,
    OutsideCompany,
    Placement,
    Position,
    Segment,
    SegmentKind,
    SupplyLink,
)
from jiqun.chains.permissions import can_create_chain_in, can_edit_chain, can_edit_supply_links
from jiqun.core.stale import changes_since, stale_edit, version_missing
from jiqun.core.text import reject_control_characters_in
from jiqun.enterprises.models import MemberRole, Source

CHAIN_FIELDS = ("name", "region", "chief", "chief_name", "chain_leader", "local_scope", "local_radius_km",
                "local_rate_target", "rating_params", "description", "clause")
SEGMENT_FIELDS = ("name", "parent", "position", "kind", "industry_codes", "is_extension", "sort", "description")
STRUCTURE_FIELDS = ("parent", "position")  # a change of these is a restructuring: a new structure version
MAX_AMOUNT = Decimal("999999999999.99")  # 万元: the column's bound


def _who(actor) -> str:
    return getattr(actor, "username", "") or "系统"


def _require(actor, allowed: bool, message: str | None = None) -> None:
    """None is the system itself (the demo, imports from the command line run as the system)."""
    if actor is not None and not allowed:
        raise PermissionDenied(message or _("您无权修改该产业链；产业链由牵头区划、所属集群的促进机构或省级管理员维护"))


def _check_version(current, base_version: int | None, kind: str) -> None:
    if base_version is None:
        raise version_missing(kind=kind)
    if base_version != current.version:
        raise stale_edit(kind=kind, changes=changes_since(current, base_version))


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


# --- chains -----------------------------------------------------------------------------------------------

def _chain_data(chain: Chain) -> dict:
    return {"code": chain.code, "name": chain.name, "region": chain.region_id, "chief": chain.chief_id,
            "chief_name": chain.chief_name, "chain_leader": chain.chain_leader_id, "local_scope": chain.local_scope,
            "local_radius_km": chain.local_radius_km, "local_rate_target": chain.local_rate_target,
            "rating_params": chain.rating_params, "description": chain.description, "clause": chain.clause,
            "clusters": sorted(chain.clusters.values_list("pk", flat=True)) if chain.pk else [],
            "structure_version": chain.structure_version, "version": chain.version}


def _check_chain(chain: Chain) -> None:
    errors: dict[str, list[str]] = {}
    if not (chain.name or "").strip():
        errors["name"] = [_("请填写产业链名称")]
    if chain.local_scope == LocalScope.RADIUS and not chain.local_radius_km:
        errors["local_radius_km"] = [_("本地范围为“一定半径内”时须填写半径（公里）")]
    if chain.local_radius_km is not None and chain.local_radius_km <= 0:
        errors["local_radius_km"] = [_("半径须大于 0 公里")]
    if chain.local_rate_target is not None and not (0 <= chain.local_rate_target <= 100):
        errors["local_rate_target"] = [_("本地配套率目标须在 0 到 100（%）之间")]
    if chain.chief_id is not None:
        from jiqun.accounts.models import Role

        if chain.chief.role != Role.LEADER:
            errors["chief"] = [_("链长账号须为“领导/群长/链长”角色（%(user)s 不是）") % {"user": chain.chief.username}]
    from jiqun.chains.analysis import validate_rating_params

    try:
        validate_rating_params(chain.rating_params)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("产业链"), name=chain.name, chief_name=chain.chief_name,
                                 description=chain.description, clause=chain.clause)


@transaction.atomic
def chain_create(*, actor, code: str, name: str, region, clusters=(), chief=None, chief_name: str = "",
                 chain_leader=None, local_scope: str = LocalScope.CITY, local_radius_km: Decimal | None = None,
                 local_rate_target: Decimal | None = None, rating_params: dict | None = None,
                 description: str = "", clause: str = "", source: str = Source.MANUAL) -> Chain:
    """Register a chain with its home region and the clusters it serves (no segments yet)."""
    _require(actor, can_create_chain_in(actor, region.pk),
             _("您只能在本区划内新建产业链"))
    code = (code or "").strip()
    if Chain.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("产业链编码“%(code)s”已被使用") % {"code": code}]})
    chain = Chain(code=code, name=(name or "").strip(), region=region, chief=chief, chief_name=chief_name.strip(),
                  chain_leader=chain_leader, local_scope=local_scope, local_radius_km=local_radius_km,
                  local_rate_target=local_rate_target, rating_params=rating_params or {},
                  description=description.strip(), clause=clause.strip(), source=source)
    _check_chain(chain)
    chain.full_clean()
    chain.save()
    chain.clusters.set(clusters)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=chain, after=_chain_data(chain))
    return chain


@transaction.atomic
def chain_update(*, actor, chain: Chain, base_version: int | None, clusters=None, **changes) -> Chain:
    """Change a chain's settings (not its tree); `base_version` is the version the edit was based on."""
    unknown = set(changes) - set(CHAIN_FIELDS)
    if unknown:
        raise TypeError(f"chain_update() got fields it cannot change: {sorted(unknown)}")
    current = Chain.objects.select_for_update().get(pk=chain.pk)
    _require(actor, can_edit_chain(actor, current))
    _check_version(current, base_version, _("产业链"))
    if "region" in changes and changes["region"].pk != current.region_id:
        _require(actor, can_create_chain_in(actor, changes["region"].pk), _("您只能把产业链的牵头区划设在本区划内"))
    if "chief" in changes and getattr(changes["chief"], "pk", None) != current.chief_id:
        # the 链长 sees the chain's supply links: who names one is who keeps them (its region, the province)
        _require(actor, can_edit_supply_links(actor, current), _("链长由产业链牵头区划或省级管理员指定"))
    before = _chain_data(current)
    for field, value in changes.items():
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    _check_chain(current)
    current.version += 1
    current.full_clean()
    current.save()
    if clusters is not None:
        current.clusters.set(clusters)
    old, new = _changed(before, _chain_data(current))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=old, after=new)
    return current


# --- the segment tree -------------------------------------------------------------------------------------

def _tree(chain: Chain) -> list[dict]:
    return [{"code": s.code, "name": s.name, "parent": s.parent.code if s.parent_id else None,
             "position": s.position, "kind": s.kind, "industry_codes": s.industry_codes,
             "is_extension": s.is_extension, "retired": s.retired}
            for s in chain.segments.select_related("parent").order_by("sort", "code")]


def _restructure(actor, chain: Chain, note: str) -> Chain:
    """Keep the tree as it is now, then raise the chain's structure version (call before changing the tree)."""
    current = Chain.objects.select_for_update().get(pk=chain.pk)
    ChainRevision.objects.create(chain=current, number=current.structure_version, segments=_tree(current),
                                 note=note[:200], created_by=_who(actor))
    current.structure_version += 1
    current.save(update_fields=["structure_version", "updated_at"])
    return current


def _segment_data(segment: Segment) -> dict:
    return {"chain": segment.chain_id, "code": segment.code, "name": segment.name, "parent": segment.parent_id,
            "position": segment.position, "kind": segment.kind, "industry_codes": segment.industry_codes,
            "is_extension": segment.is_extension, "sort": segment.sort, "description": segment.description,
            "retired": segment.retired, "version": segment.version}


def _check_segment(segment: Segment) -> None:
    errors: dict[str, list[str]] = {}
    if not (segment.code or "").strip():
        errors["code"] = [_("请填写环节编码")]
    if not (segment.name or "").strip():
        errors["name"] = [_("请填写环节名称")]
    if segment.position not in Position.values:
        errors["position"] = [_("链上位置“%(value)s”无效，可选：上游、中游、下游") % {"value": segment.position}]
    if segment.kind not in SegmentKind.values:
        errors["kind"] = [_("环节类型“%(value)s”无效，可选：产品、服务") % {"value": segment.kind}]
    for code in filter(None, (c.strip() for c in (segment.industry_codes or "").split(","))):
        if not (code[:1].isascii() and code[:1].isalpha() or code.isascii() and code.isdigit()) or len(code) > 5:
            errors["industry_codes"] = [_("行业代码“%(code)s”不是 GB/T 4754-2017 的门类字母或 2–4 位数字代码") % {
                "code": code}]
            break
    parent = segment.parent
    if parent is not None:
        if parent.chain_id != segment.chain_id:
            errors["parent"] = [_("上级环节须属于同一产业链")]
        elif parent.retired:
            errors["parent"] = [_("上级环节“%(name)s”已撤销") % {"name": parent.name}]
        else:
            seen, node = set(), parent
            while node is not None and node.pk not in seen:
                if segment.pk is not None and node.pk == segment.pk:
                    errors["parent"] = [_("不能把环节挂到它自己或它的下级环节下")]
                    break
                seen.add(node.pk)
                node = node.parent
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("产业链环节"), code=segment.code, name=segment.name,
                                 description=segment.description)


@transaction.atomic
def segment_add(*, actor, chain: Chain, code: str, name: str, position: str, parent: Segment | None = None,
                kind: str = SegmentKind.PRODUCT, industry_codes: str = "", is_extension: bool = False,
                sort: int = 0, description: str = "", note: str = "") -> Segment:
    """Add a segment to a chain's tree: a new structure version of the chain."""
    _require(actor, can_edit_chain(actor, chain))
    code = (code or "").strip()
    if Segment.objects.filter(chain=chain, code=code).exists():
        raise ValidationError({"code": [_("本链已有编码为“%(code)s”的环节（撤销的环节编码也不再使用）") % {"code": code}]})
    segment = Segment(chain=chain, code=code, name=(name or "").strip(), position=position, parent=parent, kind=kind,
                      industry_codes=(industry_codes or "").replace("，", ",").replace(" ", ""),
                      is_extension=is_extension, sort=sort, description=(description or "").strip())
    _check_segment(segment)
    _restructure(actor, chain, note or _("新增环节 %(code)s %(name)s") % {"code": code, "name": segment.name})
    segment.full_clean()
    segment.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=segment, after=_segment_data(segment))
    return segment


@transaction.atomic
def segment_update(*, actor, segment: Segment, base_version: int | None, note: str = "", **changes) -> Segment:
    """Change a segment; moving it (parent or position) is a restructuring and makes a new structure version.
    The code never changes: it is what imports, links and history refer to."""
    unknown = set(changes) - set(SEGMENT_FIELDS)
    if unknown:
        raise TypeError(f"segment_update() got fields it cannot change: {sorted(unknown)}")
    current = Segment.objects.select_for_update().select_related("chain").get(pk=segment.pk)
    _require(actor, can_edit_chain(actor, current.chain))
    _check_version(current, base_version, _("环节"))
    if current.retired:
        raise ValidationError(_("环节“%(name)s”已撤销，不能修改") % {"name": current.name})
    before = _segment_data(current)
    for field, value in changes.items():
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    _check_segment(current)
    moved = any(before[f] != getattr(current, f if f != "parent" else "parent_id") for f in STRUCTURE_FIELDS)
    if moved:
        _restructure(actor, current.chain, note or _("调整环节 %(code)s") % {"code": current.code})
    current.version += 1
    current.full_clean()
    current.save()
    old, new = _changed(before, _segment_data(current))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=old, after=new)
    return current


@transaction.atomic
def segment_retire(*, actor, segment: Segment, base_version: int | None, note: str = "") -> Segment:
    """Retire a segment (never deleted: placements, links, targets and projects refer to it)."""
    current = Segment.objects.select_for_update().select_related("chain").get(pk=segment.pk)
    _require(actor, can_edit_chain(actor, current.chain))
    _check_version(current, base_version, _("环节"))
    if current.retired:
        raise ValidationError(_("环节“%(name)s”已撤销") % {"name": current.name})
    live_children = current.children.filter(retired=False)
    if live_children.exists():
        raise ValidationError(_("环节“%(name)s”下还有下级环节（%(children)s），请先撤销或移走它们") % {
            "name": current.name, "children": "、".join(c.name for c in live_children)})
    _restructure(actor, current.chain, note or _("撤销环节 %(code)s %(name)s") % {
        "code": current.code, "name": current.name})
    current.retired = True
    current.version += 1
    current.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current,
                 before={"retired": False, "version": current.version - 1},
                 after={"retired": True, "version": current.version, "note": note})
    return current


# --- outside companies ------------------------------------------------------------------------------------

COMPANY_FIELDS = ("name", "place", "region", "credit_code", "latitude", "longitude", "notes")


def _company_data(company: OutsideCompany) -> dict:
    return {f if f != "region" else "region": getattr(company, f if f != "region" else "region_id")
            for f in COMPANY_FIELDS} | {"version": company.version}


def _check_company(company: OutsideCompany) -> None:
    from jiqun.enterprises.creditcode import validate_credit_code

    errors: dict[str, list[str]] = {}
    if not (company.name or "").strip():
        errors["name"] = [_("请填写企业名称")]
    if company.credit_code:
        try:
            validate_credit_code(company.credit_code)
        except ValidationError as exc:
            errors["credit_code"] = list(exc.messages)
        others = OutsideCompany.objects.filter(credit_code=company.credit_code).exclude(pk=company.pk)
        if others.exists():
            errors["credit_code"] = [_("统一社会信用代码 %(code)s 已登记为“%(name)s”") % {
                "code": company.credit_code, "name": others.first().name}]
    if (company.latitude is None) != (company.longitude is None):
        errors["latitude"] = [_("经纬度须同时填写或同时不填")]
    if company.latitude is not None and not (-90 <= company.latitude <= 90):
        errors["latitude"] = [_("纬度须在 -90 到 90 之间")]
    if company.longitude is not None and not (-180 <= company.longitude <= 180):
        errors["longitude"] = [_("经度须在 -180 到 180 之间")]
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("外地企业"), name=company.name, place=company.place, notes=company.notes)


def _require_company_writer(actor) -> None:
    from jiqun.accounts.models import Role

    allowed = actor is None or (actor.is_authenticated and actor.role in {
        Role.PROVINCE_ADMIN, Role.CITY_OFFICER, Role.COUNTY_OFFICER, Role.CLUSTER_ORG})
    _require(actor, allowed, _("您无权登记外地企业"))


@transaction.atomic
def outside_company_create(*, actor, name: str, place: str = "", region=None, credit_code: str | None = None,
                           latitude: Decimal | None = None, longitude: Decimal | None = None, notes: str = "",
                           source: str = Source.MANUAL) -> OutsideCompany:
    """Register a company outside the registry (a supplier, a buyer or a company to attract)."""
    _require_company_writer(actor)
    company = OutsideCompany(name=(name or "").strip(), place=(place or "").strip(), region=region,
                             credit_code=(credit_code or "").strip().upper() or None, latitude=latitude,
                             longitude=longitude, notes=(notes or "").strip(), source=source, created_by=_who(actor))
    _check_company(company)
    company.full_clean()
    company.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=company, after=_company_data(company))
    return company


@transaction.atomic
def outside_company_update(*, actor, company: OutsideCompany, base_version: int | None, **changes) -> OutsideCompany:
    """Correct an outside company's facts."""
    unknown = set(changes) - set(COMPANY_FIELDS)
    if unknown:
        raise TypeError(f"outside_company_update() got fields it cannot change: {sorted(unknown)}")
    _require_company_writer(actor)
    current = OutsideCompany.objects.select_for_update().get(pk=company.pk)
    _check_version(current, base_version, _("外地企业"))
    before = _company_data(current)
    for field, value in changes.items():
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    current.credit_code = (current.credit_code or "").upper() or None
    _check_company(current)
    current.version += 1
    current.full_clean()
    current.save()
    old, new = _changed(before, _company_data(current))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=old, after=new)
    return current


# --- placements -------------------------------------------------------------------------------------------

def _placement_data(placement: Placement) -> dict:
    return {"segment": placement.segment_id, "enterprise": placement.enterprise_id, "company": placement.company_id,
            "role": placement.role, "product": placement.product, "version": placement.version}


@transaction.atomic
def placement_add(*, actor, segment: Segment, enterprise=None, company: OutsideCompany | None = None,
                  role: str = MemberRole.SUPPORTING, product: str = "", source: str = Source.MANUAL) -> Placement:
    """Place a registry enterprise or an outside company on a segment, with its role and product."""
    _require(actor, can_edit_chain(actor, segment.chain))
    errors: dict[str, list[str]] = {}
    if (enterprise is None) == (company is None):
        errors["enterprise"] = [_("请选择一家名录企业或一家外地企业（二选一）")]
    if segment.retired:
        errors["segment"] = [_("环节“%(name)s”已撤销") % {"name": segment.name}]
    if role not in MemberRole.values:
        errors["role"] = [_("链上角色“%(value)s”无效，可选：链主、龙头、骨干、配套") % {"value": role}]
    if enterprise is not None and Placement.objects.filter(segment=segment, enterprise=enterprise).exists():
        errors["enterprise"] = [_("“%(name)s”已在环节“%(segment)s”上") % {"name": enterprise, "segment": segment.name}]
    if company is not None and Placement.objects.filter(segment=segment, company=company).exists():
        errors["company"] = [_("“%(name)s”已在环节“%(segment)s”上") % {"name": company, "segment": segment.name}]
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("环节企业"), product=product)
    placement = Placement(segment=segment, enterprise=enterprise, company=company, role=role,
                          product=(product or "").strip(), source=source)
    placement.full_clean()
    placement.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=placement, after=_placement_data(placement))
    return placement


@transaction.atomic
def placement_update(*, actor, placement: Placement, base_version: int | None, role: str | None = None,
                     product: str | None = None) -> Placement:
    """Change the role or product of a placed enterprise."""
    current = Placement.objects.select_for_update().select_related("segment__chain").get(pk=placement.pk)
    _require(actor, can_edit_chain(actor, current.segment.chain))
    _check_version(current, base_version, _("环节企业"))
    before = _placement_data(current)
    if role is not None:
        if role not in MemberRole.values:
            raise ValidationError({"role": [_("链上角色“%(value)s”无效，可选：链主、龙头、骨干、配套") % {"value": role}]})
        current.role = role
    if product is not None:
        reject_control_characters_in(_("环节企业"), product=product)
        current.product = product.strip()
    current.version += 1
    current.full_clean()
    current.save()
    old, new = _changed(before, _placement_data(current))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=old, after=new)
    return current


@transaction.atomic
def placement_remove(*, actor, placement: Placement, base_version: int | None) -> None:
    """Take an enterprise off a segment (its values stay in the audit log)."""
    current = Placement.objects.select_for_update().select_related("segment__chain").get(pk=placement.pk)
    _require(actor, can_edit_chain(actor, current.segment.chain))
    _check_version(current, base_version, _("环节企业"))
    before = _placement_data(current)
    audit_record(actor=actor, action=AuditAction.DELETE, obj=current, before=before)
    current.delete()


# --- supply links -----------------------------------------------------------------------------------------

def _link_data(link: SupplyLink) -> dict:
    return {"segment": link.segment_id, "year": link.year, "buyer": link.buyer_id,
            "buyer_company": link.buyer_company_id, "supplier": link.supplier_id,
            "supplier_company": link.supplier_company_id, "product": link.product, "amount": link.amount,
            "note": link.note, "version": link.version}


def check_supply_link(link: SupplyLink) -> dict[str, list[str]]:
    """Every problem of a supply link's values, by field (the importer reports them by row and column)."""
    errors: dict[str, list[str]] = {}
    if (link.buyer_id is None) == (link.buyer_company_id is None):
        errors["buyer"] = [_("采购方须为一家名录企业或一家外地企业（二选一）")]
    if (link.supplier_id is None) == (link.supplier_company_id is None):
        errors["supplier"] = [_("供应方须为一家名录企业或一家外地企业（二选一）")]
    if (link.buyer_id is not None and link.buyer_id == link.supplier_id) or (
            link.buyer_company_id is not None and link.buyer_company_id == link.supplier_company_id):
        errors.setdefault("supplier", [_("采购方和供应方不能是同一家企业")])
    if not isinstance(link.year, int) or not (2000 <= link.year <= 2100):
        errors["year"] = [_("年度须为 2000 到 2100 之间的四位数字")]
    if link.amount is not None and (link.amount < 0 or link.amount > MAX_AMOUNT):
        errors["amount"] = [_("采购金额须为 0 到 %(max)s 之间的万元数") % {"max": MAX_AMOUNT}]
    if link.segment_id is not None and link.segment.retired:
        errors["segment"] = [_("环节“%(name)s”已撤销") % {"name": link.segment.name}]
    return errors


@transaction.atomic
def supply_link_add(*, actor, segment: Segment, year: int, buyer=None, buyer_company=None, supplier=None,
                    supplier_company=None, product: str = "", amount: Decimal | None = None, note: str = "",
                    source: str = Source.MANUAL) -> SupplyLink:
    """Record what a buyer bought from a supplier on a segment in a year (万元; no amount: counts only)."""
    _require(actor, can_edit_supply_links(actor, segment.chain),
             _("供应关系涉及企业经营数据，只能由产业链牵头区划或省级管理员录入"))
    link = SupplyLink(segment=segment, year=year, buyer=buyer, buyer_company=buyer_company, supplier=supplier,
                      supplier_company=supplier_company, product=(product or "").strip(), amount=amount,
                      note=(note or "").strip(), source=source, created_by=_who(actor))
    errors = check_supply_link(link)
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("供应关系"), product=link.product, note=link.note)
    link.full_clean()
    link.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=link, after=_link_data(link))
    return link


@transaction.atomic
def supply_link_update(*, actor, link: SupplyLink, base_version: int | None, **changes) -> SupplyLink:
    """Correct a supply link's product, amount, year or note."""
    unknown = set(changes) - {"product", "amount", "year", "note"}
    if unknown:
        raise TypeError(f"supply_link_update() got fields it cannot change: {sorted(unknown)}")
    current = SupplyLink.objects.select_for_update().select_related("segment__chain").get(pk=link.pk)
    _require(actor, can_edit_supply_links(actor, current.segment.chain),
             _("供应关系涉及企业经营数据，只能由产业链牵头区划或省级管理员录入"))
    _check_version(current, base_version, _("供应关系"))
    before = _link_data(current)
    for field, value in changes.items():
        setattr(current, field, value.strip() if isinstance(value, str) else value)
    errors = check_supply_link(current)
    if errors:
        raise ValidationError(errors)
    reject_control_characters_in(_("供应关系"), product=current.product, note=current.note)
    current.version += 1
    current.full_clean()
    current.save()
    old, new = _changed(before, _link_data(current))
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=current, before=old, after=new)
    return current


@transaction.atomic
def supply_link_remove(*, actor, link: SupplyLink, base_version: int | None) -> None:
    """Remove a supply link entered by mistake (its values stay in the audit log)."""
    current = SupplyLink.objects.select_for_update().select_related("segment__chain").get(pk=link.pk)
    _require(actor, can_edit_supply_links(actor, current.segment.chain),
             _("供应关系涉及企业经营数据，只能由产业链牵头区划或省级管理员录入"))
    _check_version(current, base_version, _("供应关系"))
    audit_record(actor=actor, action=AuditAction.DELETE, obj=current, before=_link_data(current))
    current.delete()
