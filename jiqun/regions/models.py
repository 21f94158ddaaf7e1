"""Administrative divisions (GB/T 2260) and development zones."""

from django.db import models
from django.utils.translation import gettext_lazy as _

PROVINCE_CODE = "370000"


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县区")


def scope_prefix(code: str) -> str:
    """Return the GB/T 2260 code prefix that every region inside `code` starts with."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


class Region(models.Model):
    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("级别"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return scope_prefix(self.code)

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"


class RetiredRegion(models.Model):
    """A code no longer in force, and where its data now belongs (371200 莱芜市 → 370100 济南市)."""

    code = models.CharField(_("原区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("原名称"), max_length=50)
    merged_into = models.ForeignKey(Region, verbose_name=_("并入"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("撤销年份"))

    class Meta:
        verbose_name = _("已撤销区划")
        verbose_name_plural = _("已撤销区划")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ZoneKind(models.TextChoices):
    ECONOMIC = "economic", _("经济技术开发区")
    HIGHTECH = "hightech", _("高新技术产业开发区")
    CHEMICAL = "chemical", _("化工园区")
    BONDED = "bonded", _("综合保税区")
    OTHER = "other", _("其他园区")


class ZoneLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")


class ZoneQuerySet(models.QuerySet):
    def for_user(self, user) -> "ZoneQuerySet":
        from jiqun.accounts.scoping import region_q

        return self.filter(region_q(user, "region"))


class Zone(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=ZoneKind.choices, default=ZoneKind.OTHER)
    level = models.CharField(_("级别"), max_length=20, choices=ZoneLevel.choices, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="zones")
    stat_code = models.CharField(_("统计代码"), max_length=6, blank=True, help_text=_("国家统计局为开发区编的代码"))
    source = models.CharField(_("来源"), max_length=200, blank=True)

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("开发区/园区")
        verbose_name_plural = _("开发区/园区")

    def __str__(self) -> str:
        return self.name
