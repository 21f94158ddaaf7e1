"""The province map: the build script (莱芜 merged into 济南, 16 cities named as the regions table names them,
labelled 示意图), the map view serving the file the setting names and refusing a bad one, the 地图 page, and
zones' coordinates (checked range, both or neither, who may set them, who sees them as points)."""

import importlib.util
import json
import logging
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for
from jiqun.dashboards.maps import clusters_by_city, zone_points
from jiqun.regions.models import Region, Zone
from jiqun.regions.services import zone_locate

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _script():
    spec = importlib.util.spec_from_file_location("build_map", ROOT / "scripts" / "build_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _encode(ring: list[tuple[float, float]], scale: int = 1024) -> tuple[str, list[int]]:
    """ECharts' UTF8Encoding of one ring (the inverse of what the script decodes)."""
    points = [(round(x * scale), round(y * scale)) for x, y in ring]
    offsets, prev, chars = list(points[0]), points[0], []
    for x, y in points:
        for delta in (x - prev[0], y - prev[1]):
            chars.append(chr(((delta << 1) ^ (delta >> 31)) + 64))
        prev = (x, y)
    return "".join(chars), offsets


def _square(x: float, y: float) -> list[tuple[float, float]]:
    return [(x, y), (x + 0.25, y), (x + 0.25, y + 0.25), (x, y + 0.25), (x, y)]


def _source(regions: dict) -> dict:
    """An encoded map of before 2019: the 16 cities of the regions data and 莱芜市."""
    cities = [*regions["cities"], {"code": "371200", "name": "莱芜市"}]
    features = []
    for i, city in enumerate(cities):
        text, offsets = _encode(_square(115 + i * 0.3, 35.5))
        features.append({"id": city["code"], "type": "Feature", "properties": {"name": city["name"]},
                         "geometry": {"type": "Polygon", "coordinates": [text], "encodeOffsets": [offsets]}})
    return {"type": "FeatureCollection", "UTF8Encoding": True, "features": features}


def test_the_build_merges_laiwu_into_jinan_and_names_the_16_cities_as_the_regions_table():
    script = _script()
    regions = json.loads(script.REGIONS.read_text(encoding="utf-8"))
    built = script.build(_source(regions), regions, "echarts@4.9.0")
    assert built["jiqun"] == {"label": "示意图", "source": "echarts@4.9.0"}
    cities = dict(Region.objects.filter(level="city").values_list("code", "name"))
    assert len(built["features"]) == 16 == len(cities)
    assert {f["properties"]["adcode"]: f["properties"]["name"] for f in built["features"]} == cities
    jinan = next(f for f in built["features"] if f["properties"]["adcode"] == "370100")
    assert jinan["geometry"]["type"] == "MultiPolygon" and len(jinan["geometry"]["coordinates"]) == 2
    laiwu = jinan["geometry"]["coordinates"][1][0]  # decoded back to the square it was
    assert laiwu[0] == [pytest.approx(115 + 16 * 0.3, abs=1e-3), pytest.approx(35.5, abs=1e-3)]
    assert laiwu[2] == [pytest.approx(115 + 16 * 0.3 + 0.25, abs=1e-3), pytest.approx(35.75, abs=1e-3)]
    qingdao = next(f for f in built["features"] if f["properties"]["adcode"] == "370200")
    assert qingdao["geometry"]["type"] == "Polygon"


def test_the_build_refuses_a_source_without_a_city_or_with_a_stranger():
    script = _script()
    regions = json.loads(script.REGIONS.read_text(encoding="utf-8"))
    source = _source(regions)
    short = dict(source, features=[f for f in source["features"] if f["properties"]["name"] != "菏泽市"])
    with pytest.raises(ValueError, match="菏泽市"):
        script.build(short, regions, "x")
    stranger = dict(source, features=[*source["features"], dict(source["features"][0], id="320100",
                                                                properties={"name": "南京市"})])
    with pytest.raises(ValueError, match="南京市"):
        script.build(stranger, regions, "x")


def _map_file(tmp_path: Path, label: str | None = "审图号：鲁S(2024)001号", **changes) -> Path:
    features = [{"type": "Feature", "properties": {"name": name},
                 "geometry": {"type": "Polygon", "coordinates": [[[116, 35], [117, 35], [117, 36], [116, 35]]]}}
                for name in Region.objects.filter(level="city").values_list("name", flat=True)]
    data = {"type": "FeatureCollection", "features": features, **changes}
    if label:
        data["jiqun"] = {"label": label, "source": "山东省自然资源厅"}
    path = tmp_path / "approved.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_map_view_serves_the_file_the_setting_names_and_the_page_shows_its_label(settings, tmp_path):
    settings.JIQUN_MAP_GEOJSON = _map_file(tmp_path)
    client = client_for(User.objects.get(username="jining"))
    response = client.get("/dashboards/maps/shandong.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/geo+json")
    assert json.loads(response.content)["jiqun"]["label"] == "审图号：鲁S(2024)001号"
    page = client.get("/dashboards/maps/")
    assert page.status_code == 200
    chart = json.loads(page.context["charts"][0].as_json())
    assert chart["kind"] == "map" and chart["extra"]["map_url"] == "/dashboards/maps/shandong.json"
    assert chart["extra"]["label"] == "审图号：鲁S(2024)001号"
    assert b'src="/static/dashboards/map.js"' in page.content
    assert client.get("/dashboards/maps/beijing.json").status_code == 404
    assert client_for(User.objects.get(username="jining")).get("/dashboards/maps/?chart=clusters-by-city")[
        "Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "不是有效的 JSON"),
    (b'{"type": "Feature"}', "FeatureCollection"),
    (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                 "geometry": {"type": "Polygon", "coordinates": []}}]}).encode(), "缺少名称"),
    (json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "济南市"},
                 "geometry": {"type": "Point", "coordinates": [117, 36]}}]}, ensure_ascii=False).encode(),
     "Polygon"),
    (None, "找不到地图文件"),
])
def test_a_bad_map_file_is_logged_and_refused_and_the_page_still_answers(settings, tmp_path, caplog, content, reason):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_bytes(content)
    settings.JIQUN_MAP_GEOJSON = path
    client = client_for(User.objects.get(username="sheng"))
    with caplog.at_level(logging.ERROR, logger="jiqun.dashboards.maps"):
        response = client.get("/dashboards/maps/shandong.json")
        again = client.get("/dashboards/maps/shandong.json")
    assert response.status_code == again.status_code == 404
    assert "柱状图" in response.json()["error"] and str(tmp_path) not in response.json()["error"]
    logged = [r.getMessage() for r in caplog.records if r.name == "jiqun.dashboards.maps"]
    assert len(logged) == 1 and reason in logged[0] and str(path) in logged[0]  # once, until the file changes
    page = client.get("/dashboards/maps/")
    assert page.status_code == 200
    assert json.loads(page.context["charts"][0].as_json())["extra"]["label"] == "示意图"


def test_a_city_officer_sees_its_city_and_no_number_for_the_others():
    chart = clusters_by_city(User.objects.get(username="jining"))
    values = dict(zip(chart.categories, chart.series[0].values, strict=True))
    links = dict(zip(chart.categories, chart.links, strict=True))
    assert len(values) == 16 and values["济宁市"] > 0 and links["济宁市"] == "/dashboards/regions/370800/"
    assert values["济南市"] is None and links["济南市"] is None  # outside its sight: 无数据, never zero
    province = clusters_by_city(User.objects.get(username="sheng"))
    assert all(v is not None for v in province.series[0].values)


def test_zone_points_are_the_zones_the_user_sees_with_coordinates_inside_the_region():
    jining = zone_points(User.objects.get(username="jining"), "370800")
    names = {p["name"] for p in jining}
    assert "济宁高新技术产业开发区" in names and len(jining) >= 10
    point = next(p for p in jining if p["name"] == "济宁高新技术产业开发区")
    assert point["value"][:2] == [116.69, 35.415] and point["link"] is None
    assert zone_points(User.objects.get(username="jinan"), "370000") == []  # Jinan's parks have no coordinates
    assert zone_points(User.objects.get(username="sheng"), "370100") == []
    assert "坐标为演示数据" in Zone.objects.get(name="济宁高新技术产业开发区").source


def test_zone_coordinates_must_lie_in_shandong_and_come_in_pairs():
    zone = Zone.objects.get(name="济宁高新技术产业开发区")
    sheng = User.objects.get(username="sheng")
    for longitude, latitude, field, message in [
        (Decimal("35.4"), Decimal("116.6"), "longitude", "经度须在 114.8 至 122.8"),  # swapped
        (Decimal("116.6"), Decimal("40.1"), "latitude", "纬度须在 34.3 至 38.5"),
        (Decimal("116.6"), None, "latitude", "同时填写"),
    ]:
        with pytest.raises(ValidationError) as caught:
            zone_locate(actor=sheng, zone=zone, longitude=longitude, latitude=latitude)
        assert message in " ".join(caught.value.message_dict[field])
    zone.refresh_from_db()
    assert (zone.longitude, zone.latitude) == (Decimal("116.69"), Decimal("35.415"))  # unchanged
    before = AuditEvent.objects.count()
    located = zone_locate(actor=sheng, zone=zone, longitude=Decimal("116.7"), latitude=Decimal("35.42"))
    assert (located.longitude, located.latitude) == (Decimal("116.7"), Decimal("35.42"))
    assert AuditEvent.objects.count() == before + 1
    with pytest.raises(PermissionDenied):
        zone_locate(actor=User.objects.get(username="jinan"), zone=zone, longitude=None, latitude=None)
    with pytest.raises(PermissionDenied):
        zone_locate(actor=User.objects.get(username="lingdao"), zone=zone, longitude=None, latitude=None)
