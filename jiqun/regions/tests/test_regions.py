import pytest

from jiqun.regions.models import Region, Zone
from jiqun.regions.services import region_resolve

pytestmark = pytest.mark.django_db


def test_it_has_shandong_16_cities_and_136_counties():
    assert Region.objects.filter(level="city").count() == 16
    assert Region.objects.filter(level="county").count() == 136
    assert not Region.objects.filter(code="371200").exists()


def test_laiwu_districts_belong_to_jinan():
    assert Region.objects.get(code="370116").name == "莱芜区"
    assert Region.objects.get(code="370117").parent_id == "370100"


def test_old_laiwu_code_and_name_resolve_to_jinan():
    assert region_resolve("371200").code == "370100"
    assert region_resolve("莱芜市").code == "370100"


def test_nbs_development_zones_are_zones_not_counties():
    zone = Zone.objects.get(stat_code="370871")
    assert zone.name == "济宁高新技术产业开发区"
    assert zone.kind == "hightech"
    assert zone.region_id == "370800"


def test_ambiguous_county_name_resolves_to_nothing():
    # 市中区 exists in both 济南 and 枣庄
    assert region_resolve("市中区") is None


def test_region_page_lists_only_the_officers_city(as_jining, as_province):
    page = as_jining.get("/regions/").content.decode()
    assert "任城区" in page and "历下区" not in page
    assert "历下区" in as_province.get("/regions/").content.decode()
