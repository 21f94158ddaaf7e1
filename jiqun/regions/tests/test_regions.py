import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiqun.regions.models import (
    Region,
    Zone,
    ancestor_codes,
    city_code,
    is_within,
    parent_code,
    same_city,
    scope_prefix,
)
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


# --- region-code arithmetic: one helper, no zero-stripping ---------------------------------------------

CODES = st.builds(lambda p, c, k: f"{p:02d}{c:02d}{k:02d}", st.integers(11, 65), st.integers(0, 99),
                  st.integers(0, 99))


def test_it_gives_weihai_its_own_four_digit_prefix():
    assert scope_prefix("371000") == "3710" and not is_within("371100", "371000")  # 日照 is not in 威海
    assert scope_prefix("370830") == "370830" and not is_within("370831", "370830")
    assert scope_prefix("370000") == "37" and is_within("370830", "370000")


def test_it_names_parents_and_cities():
    assert parent_code("370811") == "370800" and parent_code("370800") == "370000" and parent_code("370000") is None
    assert ancestor_codes("370811") == ["370800", "370000"]
    assert city_code("370811") == "370800" and same_city("370811", "370883") and not same_city("370811", "370102")


@given(CODES)
def test_every_region_lies_inside_itself_and_its_ancestors(code: str):
    assert is_within(code, code)
    for ancestor in ancestor_codes(code):
        assert is_within(code, ancestor)


@given(CODES, CODES)
def test_inside_is_exactly_a_prefix_of_the_containers_scope(code: str, container: str):
    assert is_within(code, container) == code.startswith(scope_prefix(container))
    assert is_within(container, code) == (container[: len(scope_prefix(code))] == scope_prefix(code))


def test_every_real_region_lies_inside_its_parent_only():
    regions = list(Region.objects.all())
    for region in regions:
        if region.parent_id:
            assert parent_code(region.code) == region.parent_id
            assert is_within(region.code, region.parent_id)
    weihai = [r.code for r in regions if is_within(r.code, "371000")]
    assert weihai and all(code.startswith("3710") for code in weihai)
