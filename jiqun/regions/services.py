"""Loading the GB/T 2260 division tree and the zone registry."""

import json
from pathlib import Path

from django.db import transaction

from jiqun.regions.models import PROVINCE_CODE, Region, RegionLevel, RetiredRegion, Zone, ZoneKind

DATA_FILE = Path(__file__).resolve().parent / "data" / "shandong.json"


def zone_kind_from_name(name: str) -> str:
    if "化工" in name:
        return ZoneKind.CHEMICAL
    if "高新" in name or "高技术" in name or "火炬" in name:
        return ZoneKind.HIGHTECH
    if "保税" in name:
        return ZoneKind.BONDED
    if "经济" in name or "开发区" in name or "新区" in name:
        return ZoneKind.ECONOMIC
    return ZoneKind.OTHER


@transaction.atomic
def regions_load(*, path: Path = DATA_FILE) -> dict[str, int]:
    """Create or update Shandong's province, cities, counties, retired codes and NBS-coded zones."""
    data = json.loads(path.read_text(encoding="utf-8"))
    province, _ = Region.objects.update_or_create(
        code=PROVINCE_CODE, defaults={"name": data["province"]["name"], "level": RegionLevel.PROVINCE}
    )
    for city in data["cities"]:
        Region.objects.update_or_create(
            code=city["code"], defaults={"name": city["name"], "level": RegionLevel.CITY, "parent": province}
        )
    for county in data["counties"]:
        Region.objects.update_or_create(
            code=county["code"],
            defaults={"name": county["name"], "level": RegionLevel.COUNTY, "parent_id": county["city"]},
        )
    for retired in data["retired"]:
        RetiredRegion.objects.update_or_create(
            code=retired["code"],
            defaults={"name": retired["name"], "merged_into_id": retired["merged_into"], "year": retired["year"]},
        )
    for zone in data["zones"]:
        Zone.objects.update_or_create(
            name=zone["name"],
            defaults={
                "region_id": zone["city"], "stat_code": zone["code"], "kind": zone_kind_from_name(zone["name"]),
                "source": "国家统计局统计用区划代码",
            },
        )
    return {
        "cities": len(data["cities"]), "counties": len(data["counties"]), "zones": len(data["zones"]),
    }


def region_resolve(code_or_name: str) -> Region | None:
    """Find a region by code or name; a retired code (371200 莱芜) resolves to where it was merged."""
    value = code_or_name.strip()
    if value.isdigit():
        retired = RetiredRegion.objects.filter(code=value).select_related("merged_into").first()
        if retired:
            return retired.merged_into
        return Region.objects.filter(code=value).first()
    retired = RetiredRegion.objects.filter(name=value).select_related("merged_into").first()
    if retired:
        return retired.merged_into
    matches = list(Region.objects.filter(name=value)[:2])
    return matches[0] if len(matches) == 1 else None
