"""The maps the dashboards draw: the province's GeoJSON (the file the setting names), zones as points.

The platform ships a 16-city Shandong map derived from an npm package (scripts/build_map.py, `make static`),
labelled 示意图. A department replaces it with its own approved map (审图号) by pointing the setting
JIQUN_MAP_GEOJSON at the file; its top-level member {"jiqun": {"label": ..., "source": ...}} gives the label
drawn in the map's corner (docs/map.md). Nothing is fetched from the internet: the page asks
`dashboards:map` (this server) for the file.

A map file is checked before it is served (JSON, a FeatureCollection, each feature a (Multi)Polygon with a
name); a bad or missing file is logged once per change of the file and answered 404, and the page then draws
the same numbers as bars.
"""

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from jiqun.accounts.scoping import sees_region_totals
from jiqun.clusters.models import Cluster, ClusterStatus
from jiqun.dashboards.charts import Chart, Series
from jiqun.regions.models import Region, RegionLevel, Zone, city_code, is_within, within_q
from jiqun.regions.selectors import visible_regions

logger = logging.getLogger(__name__)

MAPS = ("shandong",)  # the names `dashboards:map` serves
GEOMETRIES = ("Polygon", "MultiPolygon")


class MapFileError(ValueError):
    """The configured map file cannot be served; the message says what is wrong and where."""


@dataclass(frozen=True)
class MapFile:
    path: Path
    content: bytes
    label: str
    source: str
    names: tuple[str, ...]


_cache: dict[str, tuple[tuple, MapFile | MapFileError]] = {}


def map_path(name: str = "shandong") -> Path:
    return Path(settings.JIQUN_MAP_GEOJSON)


def validate(content: bytes, path: Path) -> MapFile:
    """Parse and check a map file; raise MapFileError naming the problem and where it is."""
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise MapFileError(_("地图文件 %(path)s 不是有效的 JSON（UTF-8）：%(error)s") % {"path": path, "error": exc}) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise MapFileError(_("地图文件 %(path)s 不是 GeoJSON FeatureCollection（type 应为 FeatureCollection）")
                           % {"path": path})
    features = data.get("features")
    if not isinstance(features, list) or not features:
        raise MapFileError(_("地图文件 %(path)s 没有 features（应为非空数组）") % {"path": path})
    names = []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        name = props.get("name") if isinstance(props, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise MapFileError(_("地图文件 %(path)s 第 %(n)s 个区域缺少名称（properties.name）")
                               % {"path": path, "n": i})
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES \
                or not isinstance(geometry.get("coordinates"), list):
            raise MapFileError(_("地图文件 %(path)s 中“%(name)s”的边界（geometry）应为 Polygon 或 MultiPolygon")
                               % {"path": path, "name": name})
        names.append(name.strip())
    meta = data.get("jiqun") if isinstance(data.get("jiqun"), dict) else {}
    label = str(meta.get("label") or "").strip()[:100] or _("示意图")
    source = str(meta.get("source") or "").strip()[:200]
    return MapFile(path=path, content=content, label=label, source=source, names=tuple(names))


def map_file(name: str = "shandong") -> MapFile:
    """The configured map, checked; cached until the file changes. Raises MapFileError (logged once)."""
    if name not in MAPS:
        raise MapFileError(_("没有名为“%(name)s”的地图") % {"name": name[:40]})
    path = map_path(name)
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(path), None, None)
    cached = _cache.get(name)
    if cached and cached[0] == key:
        result = cached[1]
    else:
        try:
            if key[1] is None:
                raise MapFileError(_("找不到地图文件 %(path)s（设置 JIQUN_MAP_GEOJSON；默认文件由 make static 生成）")
                                   % {"path": path})
            result = validate(path.read_bytes(), path)
        except MapFileError as exc:
            result = exc
            logger.error("dashboards map %s: %s", name, exc)
        except OSError as exc:
            result = MapFileError(_("无法读取地图文件 %(path)s：%(error)s") % {"path": path, "error": exc})
            logger.error("dashboards map %s: %s", name, result)
        _cache[name] = (key, result)
    if isinstance(result, MapFileError):
        raise result
    return result


def map_extra(name: str = "shandong") -> dict:
    """What a map Chart's `extra` needs: where map.js fetches the map, its label and source, its texts."""
    try:
        found = map_file(name)
        label, source = found.label, found.source
    except MapFileError:
        label, source = _("示意图"), ""
    return {"map": name, "map_url": reverse("dashboards:map", args=[name]), "label": label, "source": source,
            "no_data": _("无数据"), "points_name": _("园区")}


def zone_points(user, region_code: str) -> list[dict]:
    """Zones the user sees inside `region_code` that have coordinates, as map points.

    Each is {"name", "value": [longitude, latitude, clusters the user sees in it], "link"}; zones have no page
    of their own yet, so link is None."""
    zones = list(Zone.objects.for_user(user).filter(within_q("region__code", region_code))
                 .exclude(longitude=None).exclude(latitude=None).order_by("region_id", "name"))
    through = Cluster.zones.through
    counts = dict(through.objects.filter(zone_id__in=[z.pk for z in zones],
                                         cluster_id__in=Cluster.objects.for_user(user).values("pk"))
                  .values_list("zone_id").annotate(n=Count("cluster_id", distinct=True)).values_list("zone_id", "n"))
    return [{"name": z.name, "value": [float(z.longitude), float(z.latitude), counts.get(z.pk, 0)], "link": None}
            for z in zones]


def _overview_link(user, city: str) -> str | None:
    """The overview a click on a city opens: the city's for who sees its totals, the user's own county's for a
    county inside it, none for whose scope is clusters (a cluster organisation, a chain chief)."""
    if sees_region_totals(user, city):
        return reverse("dashboards:region", args=[city])
    own = getattr(user, "region_id", None)
    if own and is_within(own, city) and sees_region_totals(user, own):
        return reverse("dashboards:region", args=[own])
    return None


def clusters_by_city(user) -> Chart:
    """The province map of clusters per city: clusters the user sees (not 退出) in each of the 16 cities.

    A cluster in two cities counts in both. A city outside the user's sight is None (无数据), not zero."""
    visible = Cluster.objects.for_user(user).exclude(status=ClusterStatus.EXITED).values("pk")
    through = Cluster.regions.through
    per_city: dict[str, set[int]] = {}
    for region_id, cluster_id in through.objects.filter(cluster_id__in=visible).values_list("region_id", "cluster_id"):
        per_city.setdefault(city_code(region_id), set()).add(cluster_id)
    cities = list(Region.objects.filter(level=RegionLevel.CITY).order_by("code"))
    seen = set(visible_regions(user).values_list("code", flat=True))
    values, links = [], []
    for city in cities:
        sees = city.code in seen or any(code.startswith(city.prefix) for code in seen)
        count = len(per_city.get(city.code, ()))
        values.append(count if sees else None)
        links.append(_overview_link(user, city.code) if sees else None)
    extra = map_extra("shandong")
    extra["points"] = zone_points(user, "370000")
    return Chart("clusters-by-city", _("各市产业集群分布"), "map", [c.name for c in cities],
                 [Series(_("集群数"), values, _("个"))], unit=_("个"), links=links, height=560, extra=extra,
                 note=_("集群名录中本账号可见的集群（不含已退出），跨市集群在各市均计入；园区按登记的坐标标出"))
