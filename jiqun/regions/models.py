"""Administrative divisions (GB/T 2260) and development zones."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

PROVINCE_CODE = "370000"
# Shandong's bounding box, a little widened: a zone's coordinates must lie inside it (a swapped or mistyped pair
# such as 35.4, 116.6 or 11.66 is refused with a message naming the range).
LONGITUDE_RANGE = (Decimal("114.8"), Decimal("122.8"))
LATITUDE_RANGE = (Decimal("34.3"), Decimal("38.5"))
LONGITUDE_MESSAGE = _("经度须在 114.8 至 122.8（东经，山东省范围内）之间")
LATITUDE_MESSAGE = _("纬度须在 34.3 至 38.5（北纬，山东省范围内）之间")


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县区")


def scope_prefix(code: str) -> str:
    """Return the GB/T 2260 code prefix that every region inside `code` starts with.

    This module is the only place that does arithmetic on region codes: a province keeps two digits,
    a city four, a county all six. Never strip zeros instead (371000 威海 is "3710", not "371").
    """
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def city_code(code: str) -> str:
    """Return the code of the city a county or city lies in (a province code is returned as it is)."""
    if code.endswith("0000"):
        return code
    return code[:4] + "00"


def parent_code(code: str) -> str | None:
    """Return the code of the region directly above `code`, or None for a province."""
    if code.endswith("0000"):
        return None
    if code.endswith("00"):
        return code[:2] + "0000"
    return code[:4] + "00"


def ancestor_codes(code: str) -> list[str]:
    """Return the codes of the regions above `code`, nearest first (a county's city, then the province)."""
    codes = []
    parent = parent_code(code)
    while parent is not None:
        codes.append(parent)
        parent = parent_code(parent)
    return codes


def is_within(code: str, container: str) -> bool:
    """Whether region `code` lies inside region `container` (a region lies inside itself)."""
    return code.startswith(scope_prefix(container))


def same_city(code: str, other: str) -> bool:
    """Whether two counties or cities lie in one city."""
    return city_code(code) == city_code(other)


def within_q(field: str, container: str) -> models.Q:
    """Rows whose region code (the field path to a code) lies inside region `container`."""
    return models.Q(**{f"{field}__startswith": scope_prefix(container)})


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
        return city_code(self.code)


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
        from jiqun.accounts.scoping import zone_q

        return self.filter(zone_q(user)).distinct()


class Zone(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=ZoneKind.choices, default=ZoneKind.OTHER)
    level = models.CharField(_("级别"), max_length=20, choices=ZoneLevel.choices, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="zones")
    stat_code = models.CharField(_("统计代码"), max_length=6, blank=True, help_text=_("国家统计局为开发区编的代码"))
    source = models.CharField(_("来源"), max_length=200, blank=True)
    # Where the zone is drawn on the dashboards' maps (a point); both or neither. WGS-84/GCJ-02 differences
    # (a few hundred metres) do not matter at a province map's scale.
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(LONGITUDE_RANGE[0], LONGITUDE_MESSAGE),
                    MaxValueValidator(LONGITUDE_RANGE[1], LONGITUDE_MESSAGE)],
        help_text=_("东经，如 116.587245；在地图上标出园区位置"))
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(LATITUDE_RANGE[0], LATITUDE_MESSAGE),
                    MaxValueValidator(LATITUDE_RANGE[1], LATITUDE_MESSAGE)],
        help_text=_("北纬，如 35.415393"))

    objects = ZoneQuerySet.as_manager()

    class Meta:
        ordering = ["region_id", "name"]
        verbose_name = _("开发区/园区")
        verbose_name_plural = _("开发区/园区")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if (self.longitude is None) != (self.latitude is None):
            missing = "latitude" if self.latitude is None else "longitude"
            raise ValidationError({missing: _("经度和纬度须同时填写或同时留空")})

    @property
    def located(self) -> bool:
        return self.longitude is not None and self.latitude is not None
