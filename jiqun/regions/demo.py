"""Demo coordinates for Jining's parks, so the dashboards' maps have points to draw.

The positions are plausible (inside the right county, to about a kilometre), not surveyed: each zone's source
is marked 坐标为演示数据. Zones a pack did not load are skipped."""

from decimal import Decimal

from jiqun.regions.models import Zone
from jiqun.regions.services import zone_locate

DEMO_NOTE = "坐标为演示数据"

JINING_PARKS: dict[str, tuple[str, str]] = {
    "济宁高新技术产业开发区": ("116.690000", "35.415000"),
    "济宁经济技术开发区": ("116.420000", "35.330000"),
    "北方教育装备产业城": ("116.445000", "35.360000"),
    "济宁高新区智能终端产业园": ("116.705000", "35.432000"),
    "济宁高新区高端智能机器人生产基地": ("116.676000", "35.398000"),
    "济宁高新区生命科学中心": ("116.662000", "35.425000"),
    "任城电商产业数字经济园区": ("116.575000", "35.445000"),
    "济宁信息产业园(蓼河数谷)": ("116.598000", "35.392000"),
    "邹城京东云(鲁南)数字经济产业园": ("116.975000", "35.402000"),
    "邹城高精新医药产业孵化园": ("116.990000", "35.380000"),
    "曲阜电子信息制造产业园": ("116.995000", "35.585000"),
    "鲁抗生物医药循环经济产业园": ("116.640000", "35.360000"),
    "济宁化工产业园(金乡)": ("116.330000", "35.040000"),
    "邹城化工产业园": ("116.900000", "35.350000"),
    "汶上化工产业园": ("116.520000", "35.700000"),
    "嘉祥化工产业园": ("116.350000", "35.420000"),
    "兖州化学助剂产业园": ("116.800000", "35.560000"),
    "梁山涂料产业园": ("116.100000", "35.800000"),
}


def demo_zone_coordinates() -> int:
    """Give the demo's Jining parks coordinates (marked 演示 in their source); returns how many were set."""
    count = 0
    for zone in Zone.objects.filter(name__in=JINING_PARKS):
        longitude, latitude = (Decimal(v) for v in JINING_PARKS[zone.name])
        if zone.longitude == longitude and zone.latitude == latitude and DEMO_NOTE in zone.source:
            continue
        zone_locate(actor=None, zone=zone, longitude=longitude, latitude=latitude, note=DEMO_NOTE)
        count += 1
    return count
