"""/api/v1/chains: industry chains with the pages' scoping (a chain outside the caller's scope is a 404) and
services (a refused write is a 400 naming the field, a stale version a 412, a missing If-Match a 428).

Supply links are sensitive: /chains/{id}/supply-links answers 404 to whoever does not see them
(`jiqun.accounts.scoping.sees_supply_links`), and the export leaves them out for that caller.
"""

from decimal import Decimal
from typing import Annotated

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from jiqun.accounts.scoping import sees_supply_links
from jiqun.api.monitoring import IF_MATCH_HEADER, _if_match
from jiqun.api.pagination import BoundedPagination
from jiqun.api.schemas import BodyIn, DbId, errors
from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
from jiqun.chains import excel
from jiqun.chains.analysis import Need, analyse_chain, local_rate_trend
from jiqun.chains.excel_views import CREATORS
from jiqun.chains.importer import ImportResult, import_chain
from jiqun.chains.models import Chain, OutsideCompany, Placement, Position, Segment, SegmentKind, SupplyLink
from jiqun.chains.permissions import can_edit_chain
from jiqun.chains.services import placement_add, segment_add, segment_retire, segment_update
from jiqun.core.downloads import XLSX, xlsx_response
from jiqun.core.text import Text
from jiqun.enterprises.models import Enterprise, MemberRole
from jiqun.monitoring.importer.package import mib

router = Router(tags=["chains"])

Year = Annotated[int, Field(ge=2000, le=2100)]
Sort = Annotated[int, Field(ge=0, le=99999)]


# --- what goes out ------------------------------------------------------------------------------------

class ChainOut(Schema):
    id: int
    code: str
    name: str
    region: str = Field(alias="region_id")
    clusters: list[int] = Field(description="所属集群的 id")
    chief_name: str
    chain_leader: int | None = Field(None, alias="chain_leader_id", description="链主企业（名录企业 id）")
    local_scope: str
    local_rate_target: Decimal | None = Field(description="本地配套率目标（%）")
    structure_version: int = Field(description="结构版本：新增、移动、撤销环节时加一")
    version: int

    @staticmethod
    def resolve_clusters(obj) -> list[int]:
        return [c.pk for c in obj.clusters.all()]


class ChainSegmentOut(Schema):
    id: int
    code: str
    name: str
    parent: str | None = Field(description="上级环节编码")
    depth: int = Field(description="在环节树中的层级，0 为顶层；列表按树的先序排列")
    position: str = Field(description="upstream、midstream、downstream")
    kind: str
    industry_codes: str
    is_extension: bool = Field(description="延链环节")
    sort: int
    rating: str = Field(description="strong（强）、weak（弱）、missing（缺）")
    need: str = Field(description="fill（补链）、strengthen（强链）、extend（延链）、keep（保持）")
    inputs: dict[str, str] = Field(description="评级依据：名称 → 取值")
    local_rate: Decimal | None = Field(description="本环节本地配套率（%），无采购数据时为 null")
    rate_basis: str = Field(description="amount（按金额）、count（按家数）或空")
    version: int = Field(description="修改或撤销时放在 If-Match 请求头中")


class ChainDetailOut(Schema):
    id: int
    code: str
    name: str
    region: str
    clusters: list[int] = Field(description="所属集群的 id")
    chief_name: str
    chain_leader: int | None = Field(description="链主企业（名录企业 id）")
    local_scope: str
    local_rate_target: Decimal | None = Field(description="本地配套率目标（%）")
    structure_version: int
    version: int
    year: int = Field(description="评级所用年度")
    local_rate: Decimal | None
    rate_basis: str
    segments: list[ChainSegmentOut]


class ChainGapOut(Schema):
    segment: str = Field(description="环节编码")
    name: str
    position: str
    rating: str
    need: str
    inputs: dict[str, str]


class ChainGapsOut(Schema):
    chain: str
    year: int
    gaps: list[ChainGapOut]


class ChainRateYearOut(Schema):
    year: int
    local_rate: Decimal | None
    rate_basis: str


class ChainSegmentRateOut(Schema):
    segment: str
    name: str
    local_rate: Decimal | None
    rate_basis: str


class ChainLocalRateOut(Schema):
    chain: str
    year: int
    local_rate: Decimal | None
    rate_basis: str
    target: Decimal | None = Field(description="本地配套率目标（%）")
    local_scope: str
    segments: list[ChainSegmentRateOut]
    trend: list[ChainRateYearOut]


class ChainSegmentItemOut(Schema):
    id: int
    chain: int = Field(alias="chain_id")
    code: str
    name: str
    parent: str | None = Field(None, alias="parent.code")
    position: str
    kind: str
    industry_codes: str
    is_extension: bool
    sort: int
    description: str
    retired: bool
    version: int = Field(description="修改或撤销时放在 If-Match 请求头中")


class ChainPlacementOut(Schema):
    id: int
    segment: str = Field(alias="segment.code")
    enterprise: int | None = Field(None, alias="enterprise_id", description="名录企业 id")
    company: int | None = Field(None, alias="company_id", description="外地企业 id")
    name: str
    credit_code: str | None
    place: str
    role: str
    product: str
    version: int

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.party.name

    @staticmethod
    def resolve_credit_code(obj) -> str | None:
        return obj.party.credit_code

    @staticmethod
    def resolve_place(obj) -> str:
        return obj.company.place if obj.company_id else obj.enterprise.region.name


class ChainSupplyLinkOut(Schema):
    id: int
    segment: str = Field(alias="segment.code")
    year: int
    buyer: str
    buyer_enterprise: int | None = Field(None, alias="buyer_id")
    buyer_company: int | None = Field(None, alias="buyer_company_id")
    supplier: str
    supplier_enterprise: int | None = Field(None, alias="supplier_id")
    supplier_company: int | None = Field(None, alias="supplier_company_id")
    product: str
    amount: Decimal | None = Field(description="万元；null 为只记家数")
    note: str
    version: int

    @staticmethod
    def resolve_buyer(obj) -> str:
        return obj.buyer_party.name

    @staticmethod
    def resolve_supplier(obj) -> str:
        return obj.supplier_party.name


class ChainImportOut(Schema):
    chain: str
    chain_created: bool
    segments_added: list[str]
    segments_updated: list[str]
    segments_retired: list[str]
    placements_added: int
    placements_updated: int
    companies_created: list[str]
    link_years: list[int] = Field(description="供应关系被整体替换的年度")
    links_removed: int
    links_added: int


class ChainImportProblemOut(Schema):
    sheet: str
    row: int = Field(description="行号（同 Excel，0 为整个文件或工作表）")
    column: str = Field(description="列字母，空为整行")
    message: str


class ChainImportRefusedOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}
    problems: list[ChainImportProblemOut]


# --- what comes in ------------------------------------------------------------------------------------

class ChainSegmentIn(BodyIn):
    code: Text = Field(max_length=20, description="链内稳定的编码，如 U1、U1.2")
    name: Text = Field(max_length=100)
    position: Text = Field(description="upstream、midstream、downstream")
    parent: Text = Field("", max_length=20, description="上级环节编码，空为顶层")
    kind: Text = Field(SegmentKind.PRODUCT, description="product、service")
    industry_codes: Text = Field("", max_length=100)
    is_extension: bool = False
    sort: Sort = 0
    description: Text = Field("", max_length=2000)
    note: Text = Field("", max_length=200, description="结构调整说明")


class ChainSegmentPatch(BodyIn):
    name: Text | None = Field(None, max_length=100)
    parent: Text | None = Field(None, max_length=20, description="上级环节编码；空字符串移到顶层")
    position: Text | None = None
    kind: Text | None = None
    industry_codes: Text | None = Field(None, max_length=100)
    is_extension: bool | None = None
    sort: Sort | None = None
    description: Text | None = Field(None, max_length=2000)
    note: Text = Field("", max_length=200, description="结构调整说明")


class ChainSegmentRetireIn(BodyIn):
    note: Text = Field("", max_length=200, description="撤销说明")


class ChainPlacementIn(BodyIn):
    segment: Text = Field(max_length=20, description="环节编码")
    enterprise: DbId | None = Field(None, description="名录企业 id（与 company 二选一）")
    company: DbId | None = Field(None, description="外地企业 id（与 enterprise 二选一）")
    role: Text = Field(MemberRole.SUPPORTING, description="chain_leader、leader、backbone、supporting")
    product: Text = Field("", max_length=200)


class ChainYearQuery(Schema):
    year: Year | None = Field(None, description="年度，不填为有供应关系的最近年度")


# --- helpers ------------------------------------------------------------------------------------------

def _chain(request: HttpRequest, chain_id: int) -> Chain:
    return get_object_or_404(Chain.objects.for_user(request.user).select_related("region"), pk=chain_id)


def _segment(request: HttpRequest, segment_id: int) -> Segment:
    return get_object_or_404(Segment.objects.for_user(request.user).select_related("chain", "parent"), pk=segment_id)


def _require_edit(request: HttpRequest, chain: Chain) -> None:
    if not can_edit_chain(request.user, chain):
        raise PermissionDenied(_("您无权修改该产业链；产业链由牵头区划、所属集群的促进机构或省级管理员维护"))


def _choice(field: str, value: str, choices) -> str:
    if value not in choices.values:
        raise ValidationError({field: [_("“%(value)s”不是有效的取值，可选：%(choices)s") % {
            "value": value[:40], "choices": "、".join(choices.values)}]})
    return value


def _parent(chain: Chain, code: str) -> Segment | None:
    if not code:
        return None
    parent = Segment.objects.filter(chain=chain, code=code).first()
    if parent is None:
        raise ValidationError({"parent": [_("本链没有编码为“%(code)s”的环节") % {"code": code[:20]}]})
    return parent


def _tree(segments: list) -> list[tuple]:
    """(verdict, depth) in the tree's pre-order."""
    children: dict[str | None, list] = {}
    for v in segments:
        children.setdefault(v.parent_code, []).append(v)
    known = {v.code for v in segments}
    out: list[tuple] = []

    def walk(code: str | None, depth: int) -> None:
        for v in children.get(code, []):
            out.append((v, depth))
            walk(v.code, depth + 1)

    walk(None, 0)
    for v in segments:  # a current segment under a retired one would be lost: list it at the top
        if v.parent_code is not None and v.parent_code not in known:
            out.append((v, 0))
            walk(v.code, 1)
    return out


def _refused(result: ImportResult):
    return Status(400, {
        "detail": _("文件未导入：发现 %(n)d 处问题，未写入任何数据") % {"n": len(result.problems)},
        "problems": [{"sheet": p.sheet, "row": p.row, "column": p.column, "message": p.reason}
                     for p in result.problems]})


def _upload(request: HttpRequest, file: UploadedFile | None, chain: Chain | None):
    if file is None:
        message = _("请以 multipart/form-data 上传字段 file：填好的产业链模板或导出的产业链（.xlsx）")
        return Status(400, {"detail": message, "problems": [{"sheet": "", "row": 0, "column": "", "message": message}]})
    if file.size > settings.JIQUN_UPLOAD_MAX_BYTES:
        message = _("文件“%(file)s”有 %(size)s，超过上限 %(limit)s，未导入") % {
            "file": file.name, "size": mib(file.size), "limit": mib(settings.JIQUN_UPLOAD_MAX_BYTES)}
        return Status(400, {"detail": message, "problems": [{"sheet": "", "row": 0, "column": "", "message": message}]})
    result = import_chain(user=request.user, content=file.read(), file_name=file.name or "upload.xlsx", chain=chain)
    if not result.ok:
        return _refused(result)
    return result.summary()


def _require_if_match(request: HttpRequest, kind: str):
    base = _if_match(request)
    if base is None:
        return None, Status(428, {
            "detail": _("修改%(kind)s须带 If-Match 请求头，值为读取时得到的 version（如 If-Match: \"3\"）；您的修改未保存。")
            % {"kind": kind}, "errors": {"If-Match": [_("缺少或不是数字")]}})
    return base, None


# --- the operations -----------------------------------------------------------------------------------

@router.get("", response={200: list[ChainOut], **errors(401, 422)}, summary="产业链（本人范围内）")
@paginate(BoundedPagination)
def list_chains(request: HttpRequest):
    return Chain.objects.for_user(request.user).prefetch_related("clusters").order_by("region__code", "code")


@router.post("/import", response={200: ChainImportOut, 400: ChainImportRefusedOut, **errors(401, 403, 422)},
             summary="导入产业链（Excel，按文件中的产业链编码导入或新建，整体导入）")
def import_new_chain(request: HttpRequest, file: File[UploadedFile] = None):
    """Upload a chain workbook (multipart, field `file`): into the chain its 产业链 sheet names, or a new chain
    in the caller's region; all or nothing, problems by sheet, row and column."""
    if request.user.role not in CREATORS:
        raise PermissionDenied(_("只有省、市、县区管理员可以导入新建产业链；集群促进机构请在产业链的导入页面导入"))
    return _upload(request, file, None)


@router.get("/{chain_id}", response={200: ChainDetailOut, **errors(401, 404, 422)},
            summary="产业链详情：环节树及强/弱/缺评级、本地配套率")
def get_chain(request: HttpRequest, chain_id: DbId, query: Query[ChainYearQuery]):
    chain = _chain(request, chain_id)
    analysis = analyse_chain(chain, year=query.year)
    versions = dict(Segment.objects.filter(chain=chain).values_list("pk", "version"))
    segments = [{"id": v.segment_id, "code": v.code, "name": v.name, "parent": v.parent_code, "depth": depth,
                 "position": v.position, "rating": v.rating, "need": v.need, "inputs": v.inputs,
                 "local_rate": v.local_rate, "rate_basis": v.rate_basis, "version": versions[v.segment_id]}
                for v, depth in _tree(analysis.segments)]
    extra = {s.pk: s for s in Segment.objects.filter(pk__in=[s["id"] for s in segments])}
    for s in segments:
        segment = extra[s["id"]]
        s.update(kind=segment.kind, industry_codes=segment.industry_codes, is_extension=segment.is_extension,
                 sort=segment.sort)
    out = {"id": chain.pk, "code": chain.code, "name": chain.name, "region": chain.region_id,
           "clusters": [c.pk for c in chain.clusters.all()], "chief_name": chain.chief_name,
           "chain_leader": chain.chain_leader_id, "local_scope": chain.local_scope,
           "local_rate_target": chain.local_rate_target, "structure_version": chain.structure_version,
           "version": chain.version}
    return {**out, "year": analysis.year, "local_rate": analysis.local_rate, "rate_basis": analysis.rate_basis,
            "segments": segments}


@router.get("/{chain_id}/gaps", response={200: ChainGapsOut, **errors(401, 404, 422)},
            summary="短板清单：需补链、强链、延链的环节及评级依据")
def get_gaps(request: HttpRequest, chain_id: DbId, query: Query[ChainYearQuery]):
    chain = _chain(request, chain_id)
    analysis = analyse_chain(chain, year=query.year)
    return {"chain": chain.code, "year": analysis.year, "gaps": [
        {"segment": v.code, "name": v.name, "position": v.position, "rating": v.rating, "need": v.need,
         "inputs": v.inputs} for v in analysis.segments if v.need != Need.KEEP]}


@router.get("/{chain_id}/local-rate", response={200: ChainLocalRateOut, **errors(401, 404, 422)},
            summary="本地配套率：全链与各环节、历年趋势、目标")
def get_local_rate(request: HttpRequest, chain_id: DbId, query: Query[ChainYearQuery]):
    chain = _chain(request, chain_id)
    analysis = analyse_chain(chain, year=query.year)
    return {"chain": chain.code, "year": analysis.year, "local_rate": analysis.local_rate,
            "rate_basis": analysis.rate_basis, "target": chain.local_rate_target, "local_scope": chain.local_scope,
            "segments": [{"segment": v.code, "name": v.name, "local_rate": v.local_rate, "rate_basis": v.rate_basis}
                         for v in analysis.segments],
            "trend": [{"year": y, "local_rate": r, "rate_basis": b} for y, r, b in local_rate_trend(chain)]}


@router.post("/{chain_id}/segments", response={201: ChainSegmentItemOut, **errors(400, 401, 403, 404, 422)},
             summary="新增环节（产业链结构版本加一）")
def add_segment(request: HttpRequest, chain_id: DbId, payload: ChainSegmentIn):
    chain = _chain(request, chain_id)
    _require_edit(request, chain)
    _choice("position", payload.position, Position)
    _choice("kind", payload.kind, SegmentKind)
    segment = segment_add(actor=request.user, chain=chain, code=payload.code, name=payload.name,
                          position=payload.position, parent=_parent(chain, payload.parent), kind=payload.kind,
                          industry_codes=payload.industry_codes, is_extension=payload.is_extension, sort=payload.sort,
                          description=payload.description, note=payload.note)
    return Status(201, segment)


@router.patch("/segments/{segment_id}", response={200: ChainSegmentItemOut, **errors(400, 401, 403, 404, 412, 422, 428)},
              summary="修改环节（编码不变；移动上级或位置时产业链结构版本加一）",
              description="必须带 If-Match 请求头，值为读取环节时得到的 version。缺少时返回 428，其间他人已修改时返回 412。",
              openapi_extra={"parameters": [IF_MATCH_HEADER]})
def update_segment(request: HttpRequest, segment_id: DbId, payload: ChainSegmentPatch):
    segment = _segment(request, segment_id)
    _require_edit(request, segment.chain)
    base, refusal = _require_if_match(request, _("环节"))
    if refusal is not None:
        return refusal
    changes = payload.dict(exclude_unset=True, exclude={"note"})
    for key in ("name", "position", "kind", "is_extension", "sort"):
        if key in changes and changes[key] is None:
            raise ValidationError({key: [_("不能为空")]})
    for key in ("industry_codes", "description"):
        if key in changes and changes[key] is None:
            changes[key] = ""
    if "position" in changes:
        _choice("position", changes["position"], Position)
    if "kind" in changes:
        _choice("kind", changes["kind"], SegmentKind)
    if "parent" in changes:
        changes["parent"] = _parent(segment.chain, changes["parent"] or "")
    return segment_update(actor=request.user, segment=segment, base_version=base, note=payload.note, **changes)


@router.post("/segments/{segment_id}/retire", response={200: ChainSegmentItemOut, **errors(400, 401, 403, 404, 412, 422, 428)},
             summary="撤销环节（不删除；产业链结构版本加一）",
             description="必须带 If-Match 请求头，值为读取环节时得到的 version。缺少时返回 428，其间他人已修改时返回 412。",
             openapi_extra={"parameters": [IF_MATCH_HEADER]})
def retire_segment(request: HttpRequest, segment_id: DbId, payload: ChainSegmentRetireIn):
    segment = _segment(request, segment_id)
    _require_edit(request, segment.chain)
    base, refusal = _require_if_match(request, _("环节"))
    if refusal is not None:
        return refusal
    return segment_retire(actor=request.user, segment=segment, base_version=base, note=payload.note)


@router.get("/{chain_id}/placements", response={200: list[ChainPlacementOut], **errors(401, 404, 422)},
            summary="环节上的企业（名录企业和外地企业）")
@paginate(BoundedPagination)
def list_placements(request: HttpRequest, chain_id: DbId):
    chain = _chain(request, chain_id)
    return (Placement.objects.for_user(request.user).filter(segment__chain=chain, segment__retired=False)
            .select_related("segment", "enterprise__region", "company").order_by("segment__sort", "segment__code", "pk"))


@router.post("/{chain_id}/placements", response={201: ChainPlacementOut, **errors(400, 401, 403, 404, 422)},
             summary="把名录企业或外地企业放到环节上")
def add_placement(request: HttpRequest, chain_id: DbId, payload: ChainPlacementIn):
    chain = _chain(request, chain_id)
    _require_edit(request, chain)
    segment = Segment.objects.filter(chain=chain, code=payload.segment, retired=False).first()
    if segment is None:
        raise ValidationError({"segment": [_("本链没有编码为“%(code)s”的现有环节") % {"code": payload.segment[:20]}]})
    _choice("role", payload.role, MemberRole)
    enterprise = company = None
    if payload.enterprise is not None:
        enterprise = Enterprise.objects.for_user(request.user).filter(pk=payload.enterprise).first()
        if enterprise is None:
            raise ValidationError({"enterprise": [_("企业 %(id)s 不存在或不在您的范围内") % {"id": payload.enterprise}]})
    if payload.company is not None:
        company = OutsideCompany.objects.for_user(request.user).filter(pk=payload.company).first()
        if company is None:
            raise ValidationError({"company": [_("外地企业 %(id)s 不存在") % {"id": payload.company}]})
    placement = placement_add(actor=request.user, segment=segment, enterprise=enterprise, company=company,
                              role=payload.role, product=payload.product)
    return Status(201, Placement.objects.select_related("segment", "enterprise__region", "company").get(pk=placement.pk))


@router.get("/{chain_id}/supply-links", response={200: list[ChainSupplyLinkOut], **errors(401, 404, 422)},
            summary="供应关系（仅产业链牵头区划、省级和链长可见，其他人为 404）")
@paginate(BoundedPagination)
def list_supply_links(request: HttpRequest, chain_id: DbId, query: Query[ChainYearQuery]):
    chain = _chain(request, chain_id)
    if not sees_supply_links(request.user, chain):
        raise Http404
    links = (SupplyLink.objects.for_user(request.user).filter(segment__chain=chain)
             .select_related("segment", "buyer", "buyer_company", "supplier", "supplier_company"))
    if query.year is not None:
        links = links.filter(year=query.year)
    return links.order_by("year", "segment__sort", "segment__code", "pk")


@router.get("/{chain_id}/export", response={200: None, **errors(401, 404, 422)},
            summary="导出产业链（Excel，与导入模板同一格式；供应关系仅对可见者导出）",
            openapi_extra={"responses": {200: {"description": "产业链 .xlsx",
                                                 "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}})
def export_chain(request: HttpRequest, chain_id: DbId) -> HttpResponse:
    chain = _chain(request, chain_id)
    content = excel.export_chain(request.user, chain)
    audit_record(actor=request.user, action=AuditAction.EXPORT, obj=chain,
                 after={"supply_links": sees_supply_links(request.user, chain), "via": "api"})
    return xlsx_response(content, excel.file_name(chain))


@router.post("/{chain_id}/import", response={200: ChainImportOut, 400: ChainImportRefusedOut,
                                             **errors(401, 403, 404, 422)},
             summary="导入到本产业链（Excel，整体导入）")
def import_into_chain(request: HttpRequest, chain_id: DbId, file: File[UploadedFile] = None):
    """Upload a chain workbook into this chain (the file's chain code is not read); all or nothing."""
    chain = _chain(request, chain_id)
    _require_edit(request, chain)
    return _upload(request, file, chain)
