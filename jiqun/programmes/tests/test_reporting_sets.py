"""Each pack's reporting list: a period opened the normal way collects every indicator its targets are measured on,
and the loader refuses a list that misses one, naming the target and the indicator."""

import datetime
from pathlib import Path

import pytest
import yaml

from jiqun.monitoring.services import DEFAULT_INDICATORS, period_open
from jiqun.programmes.models import Indicator, Programme, Target
from jiqun.programmes.packs import PackError, indicators_parse, pack_files, pack_parse
from jiqun.programmes.services import indicators_install, pack_install

PARAMS = {spec.code: spec.params for spec in indicators_parse()}


def reported_parts(indicator: Indicator) -> set[str]:
    """What a figure of `indicator` is computed from, read from the installed catalogue (not from the pack code)."""
    if indicator.kind in ("flow", "stock"):
        return {indicator.code}
    if indicator.kind == "count":
        return set()
    return reported_parts(indicator.numerator) | reported_parts(indicator.denominator)


def needed(target: Target) -> set[str]:
    if target.indicator.code == "count_clusters_over":  # counts the clusters whose reported flow passes a threshold
        return {target.params.get("measure") or "revenue"}
    return reported_parts(target.indicator)


@pytest.fixture
def installed(db) -> list[Programme]:
    """Every shipped pack installed as the demo installs it (catalogue first, then the packs)."""
    specs = indicators_parse()
    indicators_install(actor=None, specs=specs)
    parsed = [pack_parse(path, PARAMS) for path in pack_files()]
    parsed.sort(key=lambda p: (p.spec.supersedes is not None, str(p.spec.document.date or "")))
    return [pack_install(actor=None, parsed=p) for p in parsed]


@pytest.mark.django_db
def test_a_period_opened_the_normal_way_collects_every_value_targets_indicator(installed):
    assert {p.code for p in installed} == {"SD-2015-4", "SD-2016-3", "SD-SEI-2020", "JN-2020-231", "SD-2023-185",
                                           "MIIT-2022-119"}
    for programme in installed:
        period = period_open(actor=None, programme=programme, year=2030, quarter=1,
                             deadline=datetime.date(2030, 4, 15), indicators=None)
        collected = set(period.indicators.values_list("code", flat=True))
        missing = {t.code: sorted(needed(t) - collected) for t in programme.targets.select_related("indicator")
                   if needed(t) - collected}
        assert missing == {}, programme.code
        assert not period.indicators.exclude(kind__in=["flow", "stock"]).exists()


@pytest.mark.django_db
def test_the_two_programmes_with_statistics_collect_their_scale_measures(installed):
    """Before: both collected the seven defaults only (no 营业收入, 工业总产值 or 高新技术产品产值)."""
    by_code = {p.code: p for p in installed}
    jining = period_open(actor=None, programme=by_code["JN-2020-231"], year=2030, quarter=2,
                         deadline=datetime.date(2030, 7, 15))
    province = period_open(actor=None, programme=by_code["SD-2023-185"], year=2030, quarter=2,
                           deadline=datetime.date(2030, 7, 15))
    jining_codes = set(jining.indicators.values_list("code", flat=True))
    province_codes = set(province.indicators.values_list("code", flat=True))
    assert {"operating_revenue", "output_value", "manufacturing_operating_revenue"} <= jining_codes
    assert {"output_value", "hightech_output", "rd_expenditure", "revenue", "region_rd_intensity"} <= province_codes
    assert (len(jining_codes), len(province_codes)) == (14, 9)
    # Region-level indicators are filed once, in the 综合表 of the programme's region.
    assert list(jining.reports.filter(region__isnull=False).values_list("region_id", flat=True)) == ["370800"]
    assert list(province.reports.filter(region__isnull=False).values_list("region_id", flat=True)) == ["370000"]


@pytest.mark.django_db
def test_the_strategic_emerging_programme_keeps_the_seven_of_its_document(installed):
    programme = next(p for p in installed if p.code == "SD-SEI-2020")
    period = period_open(actor=None, programme=programme, year=2030, quarter=3, deadline=datetime.date(2030, 10, 15))
    assert sorted(period.indicators.values_list("code", flat=True)) == sorted(DEFAULT_INDICATORS)


# --- the loader ----------------------------------------------------------------------------------------------

def pack_with(tmp_path: Path, *, reporting, targets) -> Path:
    pack = {
        "code": "TEST-R", "name": "测试工程", "version": 1, "supersedes": None,
        "document": {"number": "测试〔2026〕2号", "title": "测试文件", "source": "001_d4a341c0482e1261.txt"},
        "scope": "province", "scope_city": None, "period": {"start": 2026, "end": 2027},
        "cluster_kinds": [{"code": "k", "name": "测试类"}],
        "clusters": [{"code": "c1", "name": "测试集群", "kind": "k"}],
        "reporting": reporting,
        "targets": [{"code": f"T{i + 1}", "label": "测试", "subject": {"kind": "province"}, "indicator": indicator,
                     "params": params, "value": 1, "unit": "个", "year": 2027}
                    for i, (indicator, params) in enumerate(targets)],
    }
    path = tmp_path / "test-r.yaml"
    path.write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(PackError) as info:
        pack_parse(path, PARAMS)
    return str(info.value)


def test_a_list_without_a_value_targets_indicator_is_refused_naming_both(tmp_path):
    path = pack_with(tmp_path, reporting={"indicators": ["revenue"]}, targets=[("output_value", {})])
    assert ("test-r.yaml: targets[0] (T1): measured on 'output_value' (indicator 'output_value'), which "
            "reporting.indicators does not collect") in refusal(path)


def test_a_ratio_or_difference_needs_its_parts(tmp_path):
    path = pack_with(tmp_path, reporting={"indicators": ["hightech_output", "rd_expenditure", "revenue"]},
                     targets=[("hightech_output_share", {}), ("rd_intensity_gap", {})])
    text = refusal(path)
    assert "targets[0] (T1): measured on 'output_value' (indicator 'hightech_output_share')" in text
    assert "targets[1] (T2): measured on 'region_rd_intensity' (indicator 'rd_intensity_gap')" in text


def test_a_count_over_a_threshold_needs_the_flow_it_measures(tmp_path):
    path = pack_with(tmp_path, reporting={"indicators": ["revenue"]},
                     targets=[("count_clusters_over", {"threshold": 1000, "unit": "亿元", "measure": "output_value"}),
                              ("count_clusters", {})])
    text = refusal(path)
    assert "targets[0] (T1): measured on 'output_value' (indicator 'count_clusters_over')" in text
    assert "T2" not in text  # a plain count comes from the registries


def test_without_a_reporting_block_the_defaults_must_cover_the_targets(tmp_path):
    assert pack_parse(pack_with(tmp_path, reporting=None, targets=[("revenue", {})]), PARAMS)
    text = refusal(pack_with(tmp_path, reporting=None, targets=[("output_value", {})]))
    assert "targets[0] (T1): measured on 'output_value'" in text and "reporting (null: the default indicators)" in text


def test_the_list_holds_known_reported_indicators_once(tmp_path):
    path = pack_with(tmp_path, reporting={"indicators": ["revenue", "revenue", "no_such", "count_clusters",
                                                         "rd_intensity"]}, targets=[("revenue", {})])
    text = refusal(path)
    assert "reporting.indicators: 'revenue' is listed twice" in text
    assert "reporting.indicators: unknown indicator 'no_such'" in text
    assert "reporting.indicators: 'count_clusters' is counted from the registries, not reported" in text
    assert "reporting.indicators: 'rd_intensity' is computed from 'rd_expenditure' and 'revenue'" in text


def test_an_empty_list_is_refused(tmp_path):
    assert "reporting.indicators" in refusal(pack_with(tmp_path, reporting={"indicators": []}, targets=[]))
