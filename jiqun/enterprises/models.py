"""Enterprises, their yearly scale status, honours, cluster memberships, and innovation carriers."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiqun.accounts.scoping import carrier_q, enterprise_q
from jiqun.enterprises.creditcode import validate_credit_code


class Source(models.TextChoices):
    POLICY = "policy", _("政策文件")  # named in a seed document
    MANUAL = "manual", _("手工录入")
    IMPORT = "import", _("导入")
    DEMO = "demo", _("演示数据")  # generated for the demo, not real


class EnterpriseQuerySet(models.QuerySet):
    def for_user(self, user) -> "EnterpriseQuerySet":
        return self.filter(enterprise_q(user)).distinct()


class Enterprise(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, null=True, blank=True, validators=[validate_credit_code]
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="enterprises"
    )
    zone = models.ForeignKey(
        "regions.Zone", verbose_name=_("所在园区"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enterprises",
    )
    industry_code = models.CharField(_("行业代码"), max_length=10, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    clause = models.CharField(_("依据条款"), max_length=80, blank=True)
    # Raised by enterprise_update on every change; an edit carries the version it was based on (stale ones refused).
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    history = HistoricalRecords()

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return self.full_name or self.name


class EnterpriseScale(models.Model):
    """规模以上 is a yearly attribute (入库/退库), never a constant."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="scale_years")
    year = models.PositiveSmallIntegerField(_("年度"))
    above_scale = models.BooleanField(_("规模以上"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["enterprise", "-year"]
        unique_together = [("enterprise", "year")]
        verbose_name = _("规上状态")
        verbose_name_plural = _("规上状态")

    def __str__(self) -> str:
        return f"{self.year} {'规上' if self.above_scale else '规下'}"


class HonourKind(models.TextChoices):
    WORLD_CLASS = "world_class", _("世界一流企业")
    LEADER = "leader", _("领航企业")
    SINGLE_CHAMPION = "single_champion", _("单项冠军")
    LITTLE_GIANT = "little_giant", _("专精特新“小巨人”")
    SPECIALIZED = "specialized", _("专精特新")
    GAZELLE = "gazelle", _("瞪羚企业")
    UNICORN = "unicorn", _("独角兽企业")
    HIGHTECH = "hightech", _("高新技术企业")


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")


class Honour(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="honours")
    kind = models.CharField(_("称号"), max_length=20, choices=HonourKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=HonourLevel.choices)
    year = models.PositiveSmallIntegerField(_("认定年份"))
    valid_until = models.PositiveSmallIntegerField(_("有效期至"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["enterprise", "-year"]
        unique_together = [("enterprise", "kind", "level", "year")]
        verbose_name = _("荣誉称号")
        verbose_name_plural = _("荣誉称号")

    def __str__(self) -> str:
        return f"{self.get_level_display()}{self.get_kind_display()}（{self.year}）"

    def valid_in(self, year: int) -> bool:
        return self.year <= year and (self.valid_until is None or year <= self.valid_until)


class MemberRole(models.TextChoices):
    CHAIN_LEADER = "chain_leader", _("链主")
    LEADER = "leader", _("龙头")
    BACKBONE = "backbone", _("骨干")
    SUPPORTING = "supporting", _("配套")


class Membership(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="memberships")
    cluster = models.ForeignKey("clusters.Cluster", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=15, choices=MemberRole.choices, default=MemberRole.BACKBONE)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["cluster", "role", "enterprise"]
        unique_together = [("enterprise", "cluster")]
        verbose_name = _("集群成员")
        verbose_name_plural = _("集群成员")

    def __str__(self) -> str:
        return f"{self.cluster} · {self.enterprise}（{self.get_role_display()}）"


class CarrierLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")


class CarrierKind(models.TextChoices):
    MANUFACTURING_INNOVATION = "manufacturing_innovation", _("制造业创新中心")
    TECH_INNOVATION = "tech_innovation", _("技术创新中心")
    INDUSTRY_INNOVATION = "industry_innovation", _("产业创新中心")
    ENTERPRISE_TECH = "enterprise_tech", _("企业技术中心")
    KEY_LAB = "key_lab", _("重点实验室")
    ENGINEERING = "engineering", _("工程研究中心")
    OTHER = "other", _("其他")


class CarrierQuerySet(models.QuerySet):
    def for_user(self, user) -> "CarrierQuerySet":
        return self.filter(carrier_q(user))


class InnovationCarrier(models.Model):
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=30, choices=CarrierKind.choices)
    level = models.CharField(_("级别"), max_length=12, choices=CarrierLevel.choices)
    host = models.ForeignKey(
        Enterprise, verbose_name=_("依托单位"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="carriers",
    )
    region = models.ForeignKey("regions.Region", verbose_name=_("所在区划"), on_delete=models.PROTECT)
    cluster = models.ForeignKey(
        "clusters.Cluster", verbose_name=_("所属集群"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="carriers",
    )
    year = models.PositiveSmallIntegerField(_("认定年份"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.MANUAL)

    objects = CarrierQuerySet.as_manager()

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("创新载体")
        verbose_name_plural = _("创新载体")

    def __str__(self) -> str:
        return self.name
