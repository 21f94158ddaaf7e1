"""Registry counts as scheme indicators: recounted at the year's end by the targets' rule, with what was counted."""

import pytest

from jiqun.enterprises.models import EnterpriseScale, Membership
from jiqun.evaluation.cells import subject_cell
from jiqun.evaluation.packs import SchemePackError, scheme_parse_text
from jiqun.evaluation.selectors import explanation
from jiqun.evaluation.services import evaluation_run_create, scheme_install

pytestmark = pytest.mark.django_db

COUNTS = """
code: jn-with-counts
version: 1
name: 含名录计数的评价
programme: JN-2020-231
grades: {优秀: 85, 良好: 70, 合格: 60}
missing_rule: zero
items:
  - {dimension: 规模, indicator: operating_revenue, weight: 0.5, clause: 一}
  - {dimension: 主体, indicator: count_above_scale_enterprises, weight: 0.3, clause: 二, label: 规上成员企业数}
  - {dimension: 创新, indicator: count_carriers, weight: 0.2, clause: 三}
"""


def test_a_registry_count_is_recounted_for_each_cluster(province_admin) -> None:
    scheme, _ = scheme_install(actor=province_admin, parsed=scheme_parse_text(COUNTS, "counts.yaml"))
    run = evaluation_run_create(actor=province_admin, scheme=scheme, year=2025)
    for i, subject in enumerate(run.snapshot["subjects"]):
        members = Membership.objects.filter(cluster_id=subject["cluster"]).values("enterprise")
        above = EnterpriseScale.objects.filter(enterprise__in=members, year=2025, above_scale=True).count()
        cell = subject_cell(run.snapshot, i, "count_above_scale_enterprises")
        assert cell["value"] == str(above) and cell["period"] == "2025年" and len(cell["registry"]) == above
    row = run.rows.exclude(rank=None).first()
    line = next(x for x in explanation(run, row).lines if x.code == "count_above_scale_enterprises")
    assert line.name == "规上成员企业数" and line.sources == [] and line.registry


def test_count_parameters_are_checked() -> None:
    text = COUNTS.replace("indicator: count_carriers,", "indicator: count_carriers, params: {colour: red},")
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(text, "counts.yaml")
    assert caught.value.problems == [("第3项指标", "计数指标“创新载体数”没有参数 colour（可用：kind、level）")]
    text = COUNTS.replace("indicator: operating_revenue,", "indicator: operating_revenue, params: {level: national},")
    with pytest.raises(SchemePackError, match="是统计指标，不带计数参数"):
        scheme_parse_text(text, "counts.yaml")
    twice = COUNTS.replace("indicator: count_carriers, weight: 0.2", "indicator: count_above_scale_enterprises, weight: 0.2")
    with pytest.raises(SchemePackError, match="编码“count_above_scale_enterprises”重复出现"):
        scheme_parse_text(twice, "counts.yaml")


def test_a_scheme_with_control_or_bidi_characters_is_refused_naming_the_entry():
    from jiqun.evaluation.packs import SCHEME_DIR

    text = (SCHEME_DIR / "sd-2023-185-competitiveness.yaml").read_text(encoding="utf-8")
    bad = text.replace("name: ", 'name: "坏\\u202e名" #', 1)
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(bad, "bad.yaml")
    assert any(entry == "name" and "U+202E" in reason for entry, reason in caught.value.problems)


def test_a_scheme_version_beyond_9999_is_refused():
    from jiqun.evaluation.packs import SCHEME_DIR

    text = (SCHEME_DIR / "sd-2023-185-competitiveness.yaml").read_text(encoding="utf-8")
    import re

    bad = re.sub(r"^version: .*$", "version: 99999999999999", text, count=1, flags=re.M)
    with pytest.raises(SchemePackError) as caught:
        scheme_parse_text(bad, "bad.yaml")
    assert any(entry == "version" and "9999" in reason for entry, reason in caught.value.problems)
