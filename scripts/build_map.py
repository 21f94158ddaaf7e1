"""Build jiqun/static/vendor/maps/shandong.json, the province map the dashboards draw, from an npm package.

Source: echarts 4.9.0's map/json/province/shandong.json (Apache-2.0; installed by `npm ci` as the dev dependency
"echarts4-maps", an alias of echarts@4.9.0, so it does not clash with the echarts 6 the pages load). That file
has the 17 cities of before 2019 in ECharts' compact "UTF8Encoding" form. This script (Python standard library
only, run by `make static`):

- decodes the coordinates into plain GeoJSON (longitude, latitude; 4 decimals);
- merges 莱芜市 (371200, merged into 济南市 in 2019) into 济南市 as one MultiPolygon of both;
- names each city as jiqun's regions table does (jiqun/regions/data/shandong.json) with its 6-digit adcode;
- adds a top-level member "jiqun": {"label": "示意图", "source": "echarts@4.9.0"}.

The output is generated (jiqun/static/vendor is not committed). A department replaces it with its own approved
map through the setting JIQUN_MAP_GEOJSON (docs/map.md).

Usage: python scripts/build_map.py [SOURCE] [OUT]
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "node_modules" / "echarts4-maps"
SOURCE = PACKAGE / "map" / "json" / "province" / "shandong.json"
REGIONS = ROOT / "jiqun" / "regions" / "data" / "shandong.json"
OUT = ROOT / "jiqun" / "static" / "vendor" / "maps" / "shandong.json"
LABEL = "示意图"


def package_source(package: Path = PACKAGE) -> str:
    """'name@version' of the npm package the map comes from (the real name behind an alias)."""
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    return f"{meta['name']}@{meta['version']}"


def decode_ring(text: str, offsets: list[int], scale: float) -> list[list[float]]:
    """One ring of ECharts' UTF8Encoding: zigzag-coded deltas, two characters a point, from an offset."""
    ring = []
    x, y = offsets[0], offsets[1]
    for i in range(0, len(text) - 1, 2):
        dx = ord(text[i]) - 64
        dy = ord(text[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([round(x / scale, 4), round(y / scale, 4)])
    return ring


def polygons(geometry: dict, encoded: bool, scale: float) -> list:
    """The geometry as a list of polygons (each a list of rings), decoded when the file is encoded."""
    kind = geometry["type"]
    coordinates = geometry["coordinates"]
    if kind == "Polygon":
        parts, offsets = [coordinates], [geometry.get("encodeOffsets")]
    elif kind == "MultiPolygon":
        parts, offsets = coordinates, geometry.get("encodeOffsets") or [None] * len(coordinates)
    else:
        raise ValueError(f"unexpected geometry {kind}")
    if not encoded:
        return [[[[round(float(v), 4) for v in point] for point in ring] for ring in part] for part in parts]
    return [[decode_ring(ring, offset, scale) for ring, offset in zip(part, part_offsets, strict=True)]
            for part, part_offsets in zip(parts, offsets, strict=True)]


def build(source: dict, regions: dict, origin: str) -> dict:
    """The jiqun map: one feature per city in the regions data, retired cities merged where they belong."""
    encoded = bool(source.get("UTF8Encoding"))
    scale = float(source.get("UTF8Scale") or 1024)
    names = {city["code"]: city["name"] for city in regions["cities"]}
    merged_into = {r["code"]: r["merged_into"] for r in regions["retired"]}
    merged_into.update({r["name"]: r["merged_into"] for r in regions["retired"]})
    by_name = {name: code for code, name in names.items()}
    shapes: dict[str, list] = {}
    for feature in source["features"]:
        props = feature.get("properties") or {}
        code = str(feature.get("id") or props.get("adcode") or "")
        name = props.get("name", "")
        code = merged_into.get(code) or merged_into.get(name) or (code if code in names else by_name.get(name, ""))
        if code not in names:
            raise ValueError(f"source feature {name or code!r} is not a Shandong city of the regions data")
        shapes.setdefault(code, []).extend(polygons(feature["geometry"], encoded, scale))
    missing = sorted(set(names) - set(shapes))
    if missing:
        raise ValueError(f"source has no shape for {', '.join(names[c] for c in missing)}")
    features = []
    for code in sorted(shapes):
        parts = shapes[code]
        geometry = ({"type": "Polygon", "coordinates": parts[0]} if len(parts) == 1
                    else {"type": "MultiPolygon", "coordinates": parts})
        features.append({"type": "Feature", "id": code, "properties": {"name": names[code], "adcode": code},
                         "geometry": geometry})
    return {"type": "FeatureCollection", "jiqun": {"label": LABEL, "source": origin}, "features": features}


def main(argv: list[str]) -> int:
    source_path = Path(argv[1]) if len(argv) > 1 else SOURCE
    out = Path(argv[2]) if len(argv) > 2 else OUT
    if not source_path.exists():
        print(f"build_map: {source_path} not found (run npm ci first)", file=sys.stderr)
        return 1
    source = json.loads(source_path.read_text(encoding="utf-8"))
    regions = json.loads(REGIONS.read_text(encoding="utf-8"))
    origin = package_source() if source_path == SOURCE else source_path.name
    result = build(source, regions, origin)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"build_map: {len(result['features'])} cities from {origin} -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
