"""Count targets that name their clusters count only those (SD-2023-185 T08, JN-2020-231 T02).

Figures are in 万元 (1亿元 = 10,000万元); every expected count below is worked out by hand in the comments.
"""

import datetime
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from jiqun.programmes.models import Programme, Target
from jiqun.programmes.packs import PackError, indicators_parse, pack_parse
from jiqun.targets import progress as P
from jiqun.targets.selectors import target_rows
from jiqun.targets.tests.helpers import (
    file_report,
    make_cluster,
    make_programme,
    make_target,
    open_period,
    row_of,
)

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2026, 3, 31)
PARAMS = {spec.code: spec.params for spec in indicators_parse()}


def _figures(current: int, previous: int) -> dict[str, tuple[int, int]]:
    """A full-year report in 万元; the period also collects 高新技术产品产值, filled as a tenth."""
    return {"output_value": (current, previous), "hightech_output": (current // 10, previous // 10)}


def _rows(user, programme):
    return target_rows(user, as_of=AS_OF, programme=programme)


@pytest.fixture
def province_wide():
    """T08-like: three clusters with 2025 full-year 主导产业产值 (output_value), one named for the 5000亿 tier."""
    programme = make_programme(code="TEST-NAMED", start=2024, end=2026)
    named_over = make_cluster(programme, "370102", name="甲·点名3500亿")
    named_under = make_cluster(programme, "370811", name="乙·点名2500亿")
    other_over = make_cluster(programme, "370202", name="丙·未点名6000亿")
    q4 = open_period(programme, 2025, 4)
    file_report(q4, named_over, _figures(35_000_000, 30_000_000))  # 3500亿 ≥ 3000亿: counts
    file_report(q4, named_under, _figures(25_000_000, 20_000_000))  # 2500亿 < 3000亿: does not
    file_report(q4, other_over, _figures(60_000_000, 55_000_000))  # over, but not named: does not
    return programme, named_over, named_under, other_over


def test_it_counts_every_cluster_over_the_threshold_when_none_is_named(province_wide, province_admin):
    programme, named_over, _named_under, other_over = province_wide
    make_target(programme, "T08", "count_clusters_over", 2, "个", 2025,
                params={"threshold": 3000, "unit": "亿元", "measure": "output_value"})
    row = row_of(_rows(province_admin, programme), "T08")
    # Before: 甲 3500 and 丙 6000 are over 3000 → 2 of 2, 已完成 although 丙 is not one the clause names.
    assert row.result.current.value == 2 and row.result.status == P.ACHIEVED
    assert [b.label for b in row.series.basis] == ["丙·未点名6000亿 2025年", "甲·点名3500亿 2025年"]


def test_it_counts_only_the_named_clusters(province_wide, province_admin):
    programme, named_over, named_under, other_over = province_wide
    target = make_target(programme, "T08", "count_clusters_over", 2, "个", 2025,
                         params={"threshold": 3000, "unit": "亿元", "measure": "output_value"})
    target.counted_clusters.set([named_over, named_under])
    row = row_of(_rows(province_admin, programme), "T08")
    # After: of the named 甲 3500 and 乙 2500 only 甲 is over 3000 → 1 of 2; the target year is over: 到期未完成.
    assert row.result.current.value == 1 and row.result.current.label == "2025年全年"
    assert row.result.status == P.EXPIRED
    notes = {b.label: b.note for b in row.series.basis}
    assert notes == {
        "甲·点名3500亿 2025年": "计入：2025年工业总产值3,500.00亿元 ≥ 3000亿元",
        "乙·点名2500亿 2025年": "不计：2025年工业总产值2,500.00亿元 < 3000亿元",
        "丙·未点名6000亿 2025年": "不计：工业总产值达到3000亿元，但不是本目标点名的集群",
    }
    urls = {b.label: b.url for b in row.series.basis}
    assert urls["乙·点名2500亿 2025年"] == f"/clusters/{named_under.pk}/"
    assert row.series.note.startswith("只计目标点名的2个集群")


def test_a_city_count_names_its_clusters_and_shows_a_named_one_outside_the_city(province_admin):
    """T02-like: 济宁市 300亿级 clusters; the clause names two of the city's three and one cluster elsewhere."""
    programme = make_programme(code="TEST-NAMED-CITY", start=2024, end=2026)
    pharma = make_cluster(programme, "370811", name="济宁医药")  # 487亿: named, counts
    ngit = make_cluster(programme, "370811", name="济宁新一代信息技术")  # 174亿: named, under 300
    equipment = make_cluster(programme, "370811", name="济宁高端装备")  # 420亿: over 300, not named
    elsewhere = make_cluster(programme, "370102", name="济南某集群")  # named but not in 济宁市
    q4 = open_period(programme, 2025, 4)
    file_report(q4, pharma, _figures(4_870_000, 4_000_000))
    file_report(q4, ngit, _figures(1_740_000, 1_500_000))
    file_report(q4, equipment, _figures(4_200_000, 4_000_000))
    file_report(q4, elsewhere, _figures(9_000_000, 8_000_000))
    target = make_target(programme, "T02", "count_clusters_over", 2, "个", 2025, subject="city", region="370800",
                         params={"threshold": 300, "unit": "亿元", "measure": "output_value"})
    before = row_of(_rows(province_admin, programme), "T02")
    assert before.result.current.value == 2 and before.result.status == P.ACHIEVED  # 医药 487 + 高端装备 420
    target.counted_clusters.set([pharma, ngit, elsewhere])
    after = row_of(_rows(province_admin, programme), "T02")
    assert after.result.current.value == 1 and after.result.status == P.EXPIRED  # only 医药 of the named
    notes = {b.label: b.note for b in after.series.basis}
    assert notes["济宁高端装备 2025年"].startswith("不计：") and "不是本目标点名" in notes["济宁高端装备 2025年"]
    assert notes["济南某集群"] == "不计：不在本目标对象范围内或已退出"
    assert notes["济宁新一代信息技术 2025年"] == "不计：2025年工业总产值174.00亿元 < 300亿元"


def test_a_named_cluster_without_a_full_year_says_so(province_admin):
    programme = make_programme(code="TEST-NAMED-EMPTY", start=2024, end=2026)
    reported = make_cluster(programme, "370102", name="甲")
    silent = make_cluster(programme, "370102", name="乙")
    file_report(open_period(programme, 2025, 4), reported, _figures(35_000_000, 30_000_000))
    target = make_target(programme, "T1", "count_clusters_over", 2, "个", 2025,
                         params={"threshold": 3000, "unit": "亿元", "measure": "output_value"})
    target.counted_clusters.set([reported, silent])
    row = row_of(_rows(province_admin, programme), "T1")
    assert row.result.current.value == 1
    notes = {b.label: b.note for b in row.series.basis}
    assert notes == {"甲 2025年": "计入：2025年工业总产值3,500.00亿元 ≥ 3000亿元",
                     "乙": "不计：2025年无经审核的全年工业总产值"}


# --- the shipped packs ---------------------------------------------------------------------------------


def _named_codes(programme: str, code: str) -> list[str]:
    target = Target.objects.get(programme__code=programme, code=code)
    return sorted(target.counted_clusters.values_list("code", flat=True))


def test_sd_2023_185_t08_names_the_six_clusters_of_its_clause():
    assert _named_codes("SD-2023-185", "T08") == sorted(
        ["biomedicine", "ngit", "advanced-metal-materials", "chemical-new-materials", "new-energy-vehicles", "food"])
    assert Target.objects.get(programme__code="SD-2023-185", code="T08").value == 7  # the document's figure stays


def test_jn_2020_231_t02_names_its_four_clusters():
    assert _named_codes("JN-2020-231", "T02") == ["new-energy", "new-materials", "ngit", "pharma"]


def test_demo_t08_does_not_count_the_5000_tier_or_unnamed_clusters(province_admin):
    programme = Programme.objects.get(code="SD-2023-185")
    row = row_of(target_rows(province_admin, as_of=datetime.date(2025, 12, 31), programme=programme), "T08")
    counted = [b.label for b in row.series.basis if b.note.startswith("计入")]
    assert row.result.current.value == len(counted) <= 6
    assert not any(name in label for label in counted for name in ("动力装备", "高端铝业", "智能家电"))


# --- the loader ------------------------------------------------------------------------------------------


def _pack(**target_changes) -> dict:
    target = {"code": "T1", "label": "300亿级集群数", "subject": {"kind": "province", "ref": None},
              "indicator": "count_clusters_over", "params": {"threshold": 300, "unit": "亿元"},
              "value": 1, "unit": "个", "year": 2027, "clause": "二", "counted_clusters": ["c1"]}
    target.update(target_changes)
    return {
        "code": "TEST-1", "name": "测试工程", "version": 1,
        "document": {"title": "测试文件", "date": "2026-05-01", "source": "001_d4a341c0482e1261.txt"},
        "scope": "province", "period": {"start": 2026, "end": 2027},
        "cluster_kinds": [{"code": "k", "name": "测试类"}],
        "clusters": [{"code": "c1", "name": "测试集群甲", "kind": "k"}],
        "targets": [target],
    }


def _parse(tmp_path, pack: dict):
    path = tmp_path / "test-pack.yaml"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    return pack_parse(path, PARAMS)


def test_the_loader_accepts_a_known_cluster_code(tmp_path):
    assert _parse(tmp_path, _pack()).spec.targets[0].counted_clusters == ["c1"]


def test_the_loader_refuses_an_unknown_cluster_code_naming_target_and_code(tmp_path):
    with pytest.raises(PackError) as info:
        _parse(tmp_path, _pack(counted_clusters=["c1", "no-such-cluster"]))
    assert ("test-pack.yaml: targets[0] (T1).counted_clusters: unknown cluster 'no-such-cluster'"
            in str(info.value))


def test_the_loader_refuses_named_clusters_on_a_count_of_enterprises(tmp_path):
    with pytest.raises(PackError) as info:
        _parse(tmp_path, _pack(indicator="count_key_enterprises", params={}))
    assert "targets[0] (T1).counted_clusters: only a count of clusters" in str(info.value)


# --- where users read it ------------------------------------------------------------------------------------

JN_T02_NAMED = ["医药产业集群", "新一代信息技术产业集群", "新材料产业集群", "新能源产业集群"]


def test_the_cli_shows_the_named_clusters():
    out = StringIO()
    call_command("targets", "status", "--programme", "JN-2020-231", "--as-of", "2025-12-31", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if " T02 " in x)
    assert line.endswith("｜点名计数 " + "、".join(JN_T02_NAMED))


def test_the_api_target_detail_lists_the_named_clusters(api_province):
    target = Target.objects.get(programme__code="JN-2020-231", code="T02")
    body = api_province.get(f"/api/v1/targets/{target.pk}?as_of=2025-12-31").json()
    assert body["counted_clusters"] == JN_T02_NAMED
    assert {b["label"].split(" ")[0] for b in body["basis"]} >= set(JN_T02_NAMED)


def test_the_target_page_lists_each_named_cluster_in_its_basis(as_province):
    target = Target.objects.get(programme__code="JN-2020-231", code="T02")
    page = as_province.get(f"/targets/{target.pk}/?as_of=2025-12-31").content.decode()
    basis = page[page.index('id="basis"'):]
    assert all(name in basis for name in JN_T02_NAMED)
    assert "不是本目标点名的集群" in basis  # 高端装备、高端化工 are over 300亿 in the demo but not named
