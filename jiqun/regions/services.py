"""Loading the GB/T 2260 division tree and the zone registry."""

import json
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction
from jiqun.audit.services import audit_record
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


def zone_locate(*, actor, zone: Zone, longitude: Decimal | None, latitude: Decimal | None,
                note: str = "") -> Zone:
    """Set (or clear, with None for both) where a zone is drawn on the dashboards' maps.

    `actor` None is the system (the demo loader); a user must be able to write inside the zone's region.
    `note` is appended once to the zone's source (the demo marks its made-up coordinates with it)."""
    from jiqun.accounts.permissions import can_create_in_region

    if actor is not None and not can_create_in_region(actor, zone.region_id):
        raise PermissionDenied(_("您无权修改该园区的坐标：只有所在区划的省市县用户可以修改。"))
    with transaction.atomic():
        locked = Zone.objects.select_for_update().get(pk=zone.pk)
        before = {"longitude": locked.longitude, "latitude": locked.latitude}
        locked.longitude, locked.latitude = longitude, latitude
        if note and note not in locked.source:
            locked.source = f"{locked.source}（{note}）"[:200] if locked.source else note
        locked.full_clean()
        locked.save(update_fields=["longitude", "latitude", "source"])
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=before,
                     after={"longitude": locked.longitude, "latitude": locked.latitude},
                     actor_name="" if actor is not None else "system")
    return locked
