"""The JSON API under /api/v1/: the registries, with the same scoping and services as the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.pagination import paginate

from jiqun.accounts.permissions import (
    can_create_in_region,
    can_decide_cluster_standing,
    can_edit_cluster,
    can_edit_enterprise,
)
from jiqun.api.auth import api_auth
from jiqun.api.errors import add_error_handlers
from jiqun.api.monitoring import router as monitoring_router
from jiqun.api.pagination import BoundedPagination
from jiqun.api.parser import SingleValueParser
from jiqun.api.reviews import router as reviews_router
from jiqun.api.schemas import (
    BodyIn,
    CarrierOut,
    ClusterIn,
    ClusterOut,
    ClusterPatch,
    DbId,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePatch,
    ProgrammeDetailOut,
    ProgrammeOut,
    RegionOut,
    ZoneOut,
    errors,
)
from jiqun.api.targets import router as targets_router
from jiqun.clusters.models import Cluster, ClusterStatus, Tier
from jiqun.clusters.services import (
    STANDING_FIELDS,
    cluster_create,
    cluster_proposal_create,
    cluster_update,
    standing_denied_message,
)
from jiqun.core.stale import version_missing
from jiqun.core.text import Text
from jiqun.enterprises.creditcode import credit_code_error
from jiqun.enterprises.models import Enterprise, InnovationCarrier
from jiqun.enterprises.services import enterprise_create, enterprise_update
from jiqun.evaluation.api import router as evaluation_router
from jiqun.programmes.models import ClusterKind, Programme
from jiqun.regions.models import Region, Zone, within_q
from jiqun.regions.selectors import regions_for

api = NinjaAPI(
    title="jiqun API",
    version="1",
    description="集群培育平台接口。认证：Authorization: Bearer <令牌>（在“接口令牌”页面生成）。"
    "可见范围与网页相同：范围外的对象返回 404。",
    auth=api_auth,
    urls_namespace="api",
    # The docs page is jiqun.api.docs.api_docs (behind the login, Swagger UI from our static files).
    docs_url=None,
    parser=SingleValueParser(),
)
add_error_handlers(api)
api.add_router("/", "jiqun.reports.api.router")  # before monitoring: /reports/{report_id} would take it
api.add_router("/", monitoring_router)
api.add_router("/", targets_router)
api.add_router("/", reviews_router)
api.add_router("/", evaluation_router)
api.add_router("/recognition", "jiqun.recognition.api.router")
api.add_router("/", "jiqun.api.quality.router")
api.add_router("/", "jiqun.incidents.api.router")
api.add_router("/", "jiqun.projects.api_excel.router")
api.add_router("/projects", "jiqun.projects.api.router")
api.add_router("/", "jiqun.projects.dispatch_api.router")
api.add_router("/chains", "jiqun.chains.api.router")
api.add_router("/", "jiqun.chains.prospect_api.router")


def _regions(user, codes: list[str]) -> list[Region]:
    allowed = {r.code: r for r in regions_for(user).filter(code__in=codes)}
    missing = [c for c in codes if c not in allowed]
    if missing:
        raise ValidationError({"regions": [_("区划 %(codes)s 不存在或不在您的范围内") % {"codes": "、".join(missing)}]})
    return [allowed[c] for c in codes]


def _region_filter(code: str) -> str:
    """The region a `?region=` filter names; an unknown code is refused, never widened to a prefix."""
    well_formed = len(code) == 6 and code.isascii() and code.isdigit()
    if not well_formed or not Region.objects.filter(code=code).exists():
        raise ValidationError({"region": [_("区划代码“%(code)s”不存在，应为 6 位行政区划代码（如 370800 济宁市）")
                                          % {"code": code.replace("\x00", "")[:20]}]})
    return code


def _patch_changes(payload, *, required: set[str], nullable: set[str] = frozenset(), exclude=()) -> dict:
    """The fields a PATCH sets; JSON null clears a text field, and is refused for a required one."""
    changes = payload.dict(exclude_unset=True, exclude=set(exclude))
    for key, value in list(changes.items()):
        if value is None and key not in nullable:
            if key in required:
                raise ValidationError({key: [_("不能为空")]})
            changes[key] = ""
    return changes


# Regions and programmes ---------------------------------------------------------------------------

@api.get("/regions", response={200: list[RegionOut], **errors(401, 422)}, tags=["regions"], summary="行政区划（本人范围内）")
def list_regions(request: HttpRequest, level: Text = ""):
    regions = regions_for(request.user)
    return regions.filter(level=level) if level else regions


@api.get("/zones", response={200: list[ZoneOut], **errors(401)}, tags=["regions"], summary="开发区/园区")
def list_zones(request: HttpRequest):
    return Zone.objects.for_user(request.user)


@api.get("/programmes", response={200: list[ProgrammeOut], **errors(401)}, tags=["programmes"], summary="培育工程")
def list_programmes(request: HttpRequest):
    return Programme.objects.all()


@api.get("/programmes/{code}", response={200: ProgrammeDetailOut, **errors(401, 404, 422)}, tags=["programmes"],
         summary="培育工程及其目标、任务")
def get_programme(request: HttpRequest, code: Text):
    return get_object_or_404(Programme, code=code)


# Clusters ------------------------------------------------------------------------------------------

class ClusterFilter(Schema):
    q: Text = ""
    programme: Text = ""
    tier: Text = ""
    status: Text = ""
    region: Text = Field("", description="6 位行政区划代码（含其下级区划）；不存在的代码返回 400")


@api.get("/clusters", response={200: list[ClusterOut], **errors(400, 401, 422)}, tags=["clusters"], summary="集群名录")
@paginate(BoundedPagination)
def list_clusters(request: HttpRequest, filters: Query[ClusterFilter]):
    clusters = Cluster.objects.for_user(request.user).select_related("programme", "kind").prefetch_related(
        "regions", "zones"
    )
    if filters.q:
        clusters = clusters.filter(Q(name__icontains=filters.q) | Q(industry__icontains=filters.q))
    if filters.programme:
        clusters = clusters.filter(programme__code=filters.programme)
    if filters.tier:
        clusters = clusters.filter(tier=filters.tier)
    if filters.status:
        clusters = clusters.filter(status=filters.status)
    if filters.region:
        clusters = clusters.filter(within_q("regions__code", _region_filter(filters.region))).distinct()
    return clusters.order_by("id")


@api.get("/clusters/{cluster_id}", response={200: ClusterOut, **errors(401, 404, 422)}, tags=["clusters"],
         summary="集群详情")
def get_cluster(request: HttpRequest, cluster_id: DbId):
    return get_object_or_404(Cluster.objects.for_user(request.user), pk=cluster_id)


@api.post("/clusters", response={201: ClusterOut, **errors(400, 401, 403, 422)}, tags=["clusters"],
          summary="新增集群")
def create_cluster(request: HttpRequest, payload: ClusterIn):
    regions = _regions(request.user, payload.regions)
    if not all(can_create_in_region(request.user, r.code) for r in regions) or not regions:
        raise PermissionDenied(_("只能在本人范围内新增集群"))
    programme = Programme.objects.filter(code=payload.programme).first()
    if programme is None:
        raise ValidationError({"programme": [_("培育工程 %(code)s 不存在") % {"code": payload.programme}]})
    kind = None
    if payload.kind:
        kind = ClusterKind.objects.filter(programme=programme, code=payload.kind).first()
        if kind is None:
            raise ValidationError({"kind": [_("集群类别 %(code)s 不属于该培育工程") % {"code": payload.kind}]})
    if Cluster.objects.filter(programme=programme, code=payload.code).exists():
        raise ValidationError({"code": [_("编码 %(code)s 在该培育工程中已存在") % {"code": payload.code}]})
    fields = payload.dict(exclude={"programme", "regions", "kind"})
    cluster = cluster_create(actor=request.user, programme=programme, kind=kind, regions=regions, **fields)
    return Status(201, cluster)


@api.patch("/clusters/{cluster_id}", response={200: ClusterOut, **errors(400, 401, 403, 404, 412, 422)},
           tags=["clusters"], summary="修改集群",
           description="请求体须带 version（读取集群时得到的版本号）；其间他人已修改时返回 412，说明何时由谁改了哪些字段。")
def update_cluster(request: HttpRequest, cluster_id: DbId, payload: ClusterPatch):
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=cluster_id)
    if not can_edit_cluster(request.user, cluster):
        raise PermissionDenied(_("您无权修改该集群：跨市集群由省级维护，只读角色不能修改。"))
    changes = _patch_changes(payload, required={"name", "status"}, exclude={"regions", "basis", "version"})
    if not can_decide_cluster_standing(request.user):
        # Checked before the regions are resolved, so a refusal is a 403 whatever codes were sent.
        current = {"tier": cluster.tier, "status": cluster.status,
                   "regions": sorted(cluster.regions.values_list("code", flat=True))}
        asked = {**changes, "regions": sorted(payload.regions)} if payload.regions is not None else changes
        if any(field in asked and asked[field] != current[field] for field in STANDING_FIELDS):
            raise PermissionDenied(standing_denied_message())
        regions = None
    else:
        regions = _regions(request.user, payload.regions) if payload.regions is not None else None
    if payload.version is None:
        raise version_missing(kind=_("集群"))
    return cluster_update(actor=request.user, cluster=cluster, regions=regions, basis=payload.basis,
                          base_version=payload.version, **changes)


class ClusterProposalIn(BodyIn):
    reason: Text
    tier: Text = ""
    status: Text = ""
    regions: list[Text] = []


class ClusterProposalOut(Schema):
    id: int
    cluster: int = Field(alias="cluster_id")
    tier: str
    status: str
    regions: list[str]
    reason: str
    proposer: str = Field(alias="proposer_name")
    state: str

    @staticmethod
    def resolve_regions(obj) -> list[str]:
        return [r.code for r in obj.regions.all()]


@api.post("/clusters/{cluster_id}/proposals",
          response={201: ClusterProposalOut, **errors(400, 401, 403, 404, 422)}, tags=["clusters"],
          summary="申请变更集群层级、状态或所在区划（由省级审核）")
def propose_cluster_change(request: HttpRequest, cluster_id: DbId, payload: ClusterProposalIn):
    cluster = get_object_or_404(Cluster.objects.for_user(request.user), pk=cluster_id)
    regions = list(Region.objects.exclude(level="province").filter(code__in=payload.regions))
    missing = sorted(set(payload.regions) - {r.code for r in regions})
    if missing:
        raise ValidationError({"regions": [_("区划 %(codes)s 不存在") % {"codes": "、".join(missing)}]})
    for field, choices in (("tier", Tier.values), ("status", ClusterStatus.values)):
        value = getattr(payload, field)
        if value and value not in choices:
            raise ValidationError({field: [_("“%(value)s”不是有效的取值，可选：%(choices)s") % {
                "value": value, "choices": "、".join(choices)}]})
    proposal = cluster_proposal_create(actor=request.user, cluster=cluster, reason=payload.reason,
                                       tier=payload.tier, status=payload.status, regions=regions)
    return Status(201, proposal)


# Enterprises ---------------------------------------------------------------------------------------

class EnterpriseFilter(Schema):
    q: Text = ""
    region: Text = Field("", description="6 位行政区划代码（含其下级区划）；不存在的代码返回 400")
    cluster: DbId | None = None
    honour: Text = ""


@api.get("/enterprises", response={200: list[EnterpriseOut], **errors(400, 401, 422)}, tags=["enterprises"], summary="企业名录")
@paginate(BoundedPagination)
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseFilter]):
    enterprises = Enterprise.objects.for_user(request.user).prefetch_related("honours", "memberships")
    if filters.q:
        enterprises = enterprises.filter(Q(name__icontains=filters.q) | Q(credit_code__iexact=filters.q))
    if filters.region:
        enterprises = enterprises.filter(within_q("region__code", _region_filter(filters.region)))
    if filters.cluster:
        enterprises = enterprises.filter(memberships__cluster_id=filters.cluster)
    if filters.honour:
        enterprises = enterprises.filter(honours__kind=filters.honour)
    return enterprises.order_by("id")


@api.get("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **errors(401, 404, 422)}, tags=["enterprises"],
         summary="企业详情")
def get_enterprise(request: HttpRequest, enterprise_id: DbId):
    return get_object_or_404(Enterprise.objects.for_user(request.user), pk=enterprise_id)


def _check_credit_code(code: str | None, exclude_pk: int | None = None) -> None:
    if not code:
        return
    message = credit_code_error(code)
    if message:
        raise ValidationError({"credit_code": [message]})


def _zone(user, zone_id: DbId | None) -> Zone | None:
    if zone_id is None:
        return None
    zone = Zone.objects.for_user(user).filter(pk=zone_id).first()
    if zone is None:
        raise ValidationError({"zone": [_("园区 %(id)s 不存在或不在您的范围内") % {"id": zone_id}]})
    return zone


@api.post("/enterprises", response={201: EnterpriseOut, **errors(400, 401, 403, 422)},
          tags=["enterprises"], summary="新增企业")
def create_enterprise(request: HttpRequest, payload: EnterpriseIn):
    (region,) = _regions(request.user, [payload.region])
    if not can_create_in_region(request.user, region.code):
        raise PermissionDenied(_("只能在本人范围内新增企业"))
    _check_credit_code(payload.credit_code)
    enterprise = enterprise_create(
        actor=request.user, name=payload.name, full_name=payload.full_name, credit_code=payload.credit_code,
        region=region, zone=_zone(request.user, payload.zone), industry_code=payload.industry_code,
    )
    return Status(201, enterprise)


@api.patch("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **errors(400, 401, 403, 404, 412, 422)},
           tags=["enterprises"], summary="修改企业",
           description="请求体须带 version（读取企业时得到的版本号）；其间他人已修改时返回 412，说明何时由谁改了哪些字段。")
def update_enterprise(request: HttpRequest, enterprise_id: DbId, payload: EnterprisePatch):
    enterprise = get_object_or_404(Enterprise.objects.for_user(request.user), pk=enterprise_id)
    if not can_edit_enterprise(request.user, enterprise):
        raise PermissionDenied(_("您无权修改该企业"))
    if payload.version is None:
        raise version_missing(kind=_("企业"))
    changes = _patch_changes(payload, required={"name", "region"}, nullable={"credit_code", "zone"},
                             exclude={"version"})
    if "credit_code" in changes:
        _check_credit_code(changes["credit_code"])
    if "region" in changes:
        (changes["region"],) = _regions(request.user, [changes["region"]])
    if "zone" in changes:
        changes["zone"] = _zone(request.user, changes["zone"])
    return enterprise_update(actor=request.user, enterprise=enterprise, base_version=payload.version, **changes)


@api.get("/carriers", response={200: list[CarrierOut], **errors(401, 422)}, tags=["enterprises"], summary="创新载体")
@paginate(BoundedPagination)
def list_carriers(request: HttpRequest, level: Text = ""):
    carriers = InnovationCarrier.objects.for_user(request.user)
    return carriers.filter(level=level) if level else carriers.order_by("id")
