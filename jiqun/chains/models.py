"""Industry chains (产业链): a tree of segments per chain, the enterprises and outside companies placed on them,
the supply links between them, and the investment-target list (招引名录) of the segments to fill.

- A chain belongs to a home region (the city or county that runs it, whose 链长 answers for it) and serves one
  or more clusters. Its structure is versioned: adding, moving or retiring a segment raises
  `structure_version` and keeps the structure before the change as a ChainRevision. A segment is never deleted
  once anything refers to it; it is retired.
- A segment is a product or service (not a statistical grouping), with a code stable within its chain, a
  position (上游/中游/下游), optional GB/T 4754-2017 industry codes, and whether it extends the chain beyond what
  it reaches today (延链).
- An outside company (外地企业) is a first-class record: a segment supplied only from outside is a gap candidate,
  and a company to attract is one of these.
- Supply links carry a buyer, a supplier, the segment of what is bought, the year and the amount (万元); they
  are sensitive, so `jiqun.accounts.scoping.supply_link_q` shows them to the chain's region and the province only.
- A 招引名录 entry (Prospect) moves 线索 → 接洽 → 签约 → 落地 (or 放弃) along PROSPECT_MOVES, one service and one
  event per move; signing links (or creates) a project of the project library on the segment.

All writes go through `jiqun.chains.services`; reads that depend on the user start from `for_user`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiqun.accounts.scoping import (
    chain_q,
    outside_company_q,
    placement_q,
    prospect_q,
    segment_q,
    supply_link_q,
)
from jiqun.enterprises.models import MemberRole, Source


class Position(models.TextChoices):
    UPSTREAM = "upstream", _("上游")  # raw materials, key parts, design
    MIDSTREAM = "midstream", _("中游")  # manufacture, system integration, assembly
    DOWNSTREAM = "downstream", _("下游")  # sales, application, service, remanufacture


class SegmentKind(models.TextChoices):
    PRODUCT = "product", _("产品")
    SERVICE = "service", _("服务")


class LocalScope(models.TextChoices):
    """What "inside the region" means for the local supporting rate (本地配套率) of a chain."""

    CITY = "city", _("同一地级市")  # the default: the supplier lies in the buyer's city
    PROVINCE = "province", _("本省")  # the supplier lies in the province
    RADIUS = "radius", _("一定半径内")  # the supplier lies within `local_radius_km` of the buyer


class ChainQuerySet(models.QuerySet):
    def for_user(self, user) -> "ChainQuerySet":
        return self.filter(chain_q(user)).distinct()


class Chain(models.Model):
    """One industry chain, kept by its home region, with its 链长 and 链主."""

    code = models.CharField(_("产业链编码"), max_length=40, unique=True)
    name = models.CharField(_("产业链名称"), max_length=100)
    clusters = models.ManyToManyField("clusters.Cluster", verbose_name=_("所属集群"), blank=True,
                                      related_name="chains")
    region = models.ForeignKey("regions.Region", verbose_name=_("牵头区划"), on_delete=models.PROTECT,
                               related_name="chains", help_text=_("负责该链的市或县市区；本地配套率的“本地”据此判断"))
    chief = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("链长（账号）"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="chains_led",
                              help_text=_("领导/链长角色的账号；该账号可查看本链的任务、短板、项目和目标"))
    chief_name = models.CharField(_("链长"), max_length=100, blank=True, help_text=_("姓名和职务"))
    chain_leader = models.ForeignKey("enterprises.Enterprise", verbose_name=_("链主企业"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="chains_led")
    local_scope = models.CharField(_("本地范围"), max_length=10, choices=LocalScope.choices,
                                   default=LocalScope.CITY)
    local_radius_km = models.DecimalField(_("本地半径（公里）"), max_digits=7, decimal_places=1, null=True,
                                          blank=True)
    local_rate_target = models.DecimalField(_("本地配套率目标（%）"), max_digits=5, decimal_places=2, null=True,
                                            blank=True)
    # Overrides of the gap-rating rule's parameters (jiqun.chains.rules documents each key and its default).
    rating_params = models.JSONField(_("强弱缺评级参数"), default=dict, blank=True)
    description = models.TextField(_("说明"), blank=True)
    clause = models.CharField(_("依据条款"), max_length=120, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    structure_version = models.PositiveIntegerField(_("结构版本"), default=1, editable=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    objects = ChainQuerySet.as_manager()

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["region__code", "code"]

    def __str__(self) -> str:
        return self.name


class ChainRevision(models.Model):
    """The structure of a chain before a restructuring: kept so that a changed tree can be read as it was."""

    chain = models.ForeignKey(Chain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("结构版本"))
    segments = models.JSONField(_("环节"), default=list)  # [{"code", "name", "parent", "position", ...}]
    note = models.CharField(_("调整说明"), max_length=200, blank=True)
    created_by = models.CharField(_("调整人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("调整时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("产业链结构版本")
        verbose_name_plural = _("产业链结构版本")
        ordering = ["chain", "number"]
        constraints = [models.UniqueConstraint(fields=["chain", "number"], name="chain_revision_once")]

    def __str__(self) -> str:
        return f"{self.chain} v{self.number}"


class SegmentQuerySet(models.QuerySet):
    def for_user(self, user) -> "SegmentQuerySet":
        return self.filter(segment_q(user))

    def current(self) -> "SegmentQuerySet":
        return self.filter(retired=False)


class Segment(models.Model):
    """One link of a chain: a product or service, with a code that stays stable within the chain."""

    chain = models.ForeignKey(Chain, verbose_name=_("产业链"), on_delete=models.CASCADE, related_name="segments")
    code = models.CharField(_("环节编码"), max_length=20, help_text=_("链内稳定的编码，如 U1、U1.2"))
    parent = models.ForeignKey("self", verbose_name=_("上级环节"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("环节名称"), max_length=100)
    position = models.CharField(_("链上位置"), max_length=12, choices=Position.choices)
    kind = models.CharField(_("环节类型"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.PRODUCT)
    industry_codes = models.CharField(_("国民经济行业代码"), max_length=100, blank=True,
                                      help_text=_("GB/T 4754-2017 行业代码，多个用逗号分隔"))
    is_extension = models.BooleanField(_("延链环节"), default=False,
                                       help_text=_("本链尚未延伸到、规划延伸的环节"))
    sort = models.PositiveIntegerField(_("排序"), default=0)
    description = models.TextField(_("说明"), blank=True)
    retired = models.BooleanField(_("已撤销"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    objects = SegmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("产业链环节")
        verbose_name_plural = _("产业链环节")
        ordering = ["chain", "sort", "code"]
        constraints = [models.UniqueConstraint(fields=["chain", "code"], name="segment_code_once_per_chain")]

    def __str__(self) -> str:
        return f"{self.chain.name}·{self.name}"


class OutsideCompanyQuerySet(models.QuerySet):
    def for_user(self, user) -> "OutsideCompanyQuerySet":
        return self.filter(outside_company_q(user))


class OutsideCompany(models.Model):
    """A company outside the registry (usually outside the region): a supplier, a buyer, or a company to attract."""

    name = models.CharField(_("企业名称"), max_length=200)
    place = models.CharField(_("所在地"), max_length=100, blank=True, help_text=_("省市，如“江苏省徐州市”"))
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="outside_companies",
                               help_text=_("在本省时选择区划，用于判断是否本地"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_by = models.CharField(_("创建人"), max_length=150, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    objects = OutsideCompanyQuerySet.as_manager()

    class Meta:
        verbose_name = _("外地企业")
        verbose_name_plural = _("外地企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlacementQuerySet(models.QuerySet):
    def for_user(self, user) -> "PlacementQuerySet":
        return self.filter(placement_q(user))


class Placement(models.Model):
    """An enterprise of the registry, or an outside company, on a segment: its role and the product it makes."""

    segment = models.ForeignKey(Segment, verbose_name=_("环节"), on_delete=models.CASCADE, related_name="placements")
    enterprise = models.ForeignKey("enterprises.Enterprise", verbose_name=_("名录企业"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="chain_placements")
    company = models.ForeignKey(OutsideCompany, verbose_name=_("外地企业"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="placements")
    role = models.CharField(_("链上角色"), max_length=15, choices=MemberRole.choices, default=MemberRole.SUPPORTING)
    product = models.CharField(_("主要产品"), max_length=200, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("环节企业")
        verbose_name_plural = _("环节企业")
        ordering = ["segment", "role", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(enterprise__isnull=False, company__isnull=True)
                           | models.Q(enterprise__isnull=True, company__isnull=False)),
                name="placement_enterprise_or_company"),
            models.UniqueConstraint(fields=["segment", "enterprise"], name="placement_enterprise_once",
                                    condition=models.Q(enterprise__isnull=False)),
            models.UniqueConstraint(fields=["segment", "company"], name="placement_company_once",
                                    condition=models.Q(company__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.segment} · {self.party}"

    @property
    def party(self):
        return self.enterprise if self.enterprise_id else self.company

    @property
    def is_outside(self) -> bool:
        return self.company_id is not None


class SupplyLinkQuerySet(models.QuerySet):
    def for_user(self, user) -> "SupplyLinkQuerySet":
        return self.filter(supply_link_q(user))


class SupplyLink(models.Model):
    """What a buyer bought from a supplier on one segment in one year (万元). Either side is a registry
    enterprise or an outside company. Without an amount, the link counts only for the count-based rate."""

    segment = models.ForeignKey(Segment, verbose_name=_("环节"), on_delete=models.PROTECT,
                                related_name="supply_links")
    year = models.PositiveSmallIntegerField(_("年度"))
    buyer = models.ForeignKey("enterprises.Enterprise", verbose_name=_("采购方（名录企业）"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="purchases")
    buyer_company = models.ForeignKey(OutsideCompany, verbose_name=_("采购方（外地企业）"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="purchases")
    supplier = models.ForeignKey("enterprises.Enterprise", verbose_name=_("供应方（名录企业）"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="sales")
    supplier_company = models.ForeignKey(OutsideCompany, verbose_name=_("供应方（外地企业）"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="sales")
    product = models.CharField(_("采购产品"), max_length=200, blank=True)
    amount = models.DecimalField(_("采购金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_by = models.CharField(_("录入人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    objects = SupplyLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("供应关系")
        verbose_name_plural = _("供应关系")
        ordering = ["segment", "year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(buyer__isnull=False, buyer_company__isnull=True)
                           | models.Q(buyer__isnull=True, buyer_company__isnull=False)),
                name="supply_link_one_buyer"),
            models.CheckConstraint(
                condition=(models.Q(supplier__isnull=False, supplier_company__isnull=True)
                           | models.Q(supplier__isnull=True, supplier_company__isnull=False)),
                name="supply_link_one_supplier"),
            models.CheckConstraint(condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                                   name="supply_link_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.buyer_party} ← {self.supplier_party}（{self.year}）"

    @property
    def buyer_party(self):
        return self.buyer if self.buyer_id else self.buyer_company

    @property
    def supplier_party(self):
        return self.supplier if self.supplier_id else self.supplier_company


class Priority(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class ProspectStatus(models.TextChoices):
    LEAD = "lead", _("线索")  # a candidate named, not yet contacted
    CONTACT = "contact", _("接洽")  # in talks
    SIGNED = "signed", _("签约")  # an agreement signed: a project exists in the project library
    LANDED = "landed", _("落地")  # the project started (开工) or is producing
    DROPPED = "dropped", _("放弃")  # given up, with a reason


PROSPECT_MOVES: dict[str, frozenset[str]] = {
    ProspectStatus.LEAD: frozenset({ProspectStatus.CONTACT, ProspectStatus.DROPPED}),
    ProspectStatus.CONTACT: frozenset({ProspectStatus.SIGNED, ProspectStatus.DROPPED}),
    ProspectStatus.SIGNED: frozenset({ProspectStatus.LANDED, ProspectStatus.DROPPED}),
    ProspectStatus.LANDED: frozenset(),
    ProspectStatus.DROPPED: frozenset(),
}


class ProspectQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProspectQuerySet":
        return self.filter(prospect_q(user))


class Prospect(models.Model):
    """One company to attract for a weak or missing segment (招引名录 entry)."""

    segment = models.ForeignKey(Segment, verbose_name=_("环节"), on_delete=models.PROTECT, related_name="prospects")
    company = models.ForeignKey(OutsideCompany, verbose_name=_("目标企业"), on_delete=models.PROTECT,
                                related_name="prospects")
    reason = models.TextField(_("招引理由"), blank=True)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField(_("状态"), max_length=10, choices=ProspectStatus.choices, default=ProspectStatus.LEAD)
    project = models.ForeignKey("projects.Project", verbose_name=_("签约项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="prospects")
    owner_unit = models.CharField(_("责任单位"), max_length=100, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    created_by = models.CharField(_("创建人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    objects = ProspectQuerySet.as_manager()

    class Meta:
        verbose_name = _("招引名录")
        verbose_name_plural = _("招引名录")
        ordering = ["segment", "priority", "pk"]
        constraints = [models.UniqueConstraint(fields=["segment", "company"], name="prospect_once_per_segment")]

    def __str__(self) -> str:
        return f"{self.segment} · {self.company}"


class ContactWay(models.TextChoices):
    """How a 招引名录 company was contacted (a contact record's 方式)."""

    VISIT = "visit", _("上门拜访")
    RECEPTION = "reception", _("来访接待")
    CALL = "call", _("电话/视频")
    MEETING = "meeting", _("会谈/推介会")
    LETTER = "letter", _("函件/邮件")
    OTHER = "other", _("其他")


class ProspectEvent(models.Model):
    """One move of a 招引名录 entry, or one contact (a visit, a call, a meeting) when from and to are equal."""

    prospect = models.ForeignKey(Prospect, verbose_name=_("招引名录"), on_delete=models.CASCADE,
                                 related_name="events")
    from_status = models.CharField(_("原状态"), max_length=10, choices=ProspectStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10, choices=ProspectStatus.choices)
    on = models.DateField(_("日期"))
    way = models.CharField(_("接洽方式"), max_length=10, choices=ContactWay.choices, blank=True,
                           help_text=_("接洽记录（状态不变）时填写"))
    note = models.TextField(_("情况"), blank=True)
    by = models.CharField(_("记录人"), max_length=150, blank=True)
    at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("招引记录")
        verbose_name_plural = _("招引记录")
        ordering = ["prospect", "on", "pk"]

    def __str__(self) -> str:
        return f"{self.prospect} {self.on} {self.get_to_status_display()}"
