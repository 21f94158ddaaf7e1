"""The packs keep what the documents say once installed: roles, places, 力争, units, assumed years, quotes."""

import io
import re

import pytest
import yaml
from django.core.management import call_command

from jiqun.clusters.models import Cluster
from jiqun.enterprises.models import Membership
from jiqun.programmes.models import Programme, Target
from jiqun.programmes.packs import SOURCES_DIR, PackError, indicators_parse, pack_files, pack_parse
from jiqun.programmes.services import ROLE_MAP
from jiqun.programmes.text import display_text, source_paragraphs

pytestmark = pytest.mark.django_db

PARAMS = {spec.code: spec.params for spec in indicators_parse()}
ARTEFACTS = re.compile("[ꎬꎻꎮ]")
JINING_SOURCE = SOURCES_DIR / "004_743869a3958fc2fd.txt"


def in_jining(region) -> bool:
    return region.code.startswith("3708")


def test_no_membership_role_differs_from_what_its_pack_entry_states():
    differing = []
    for path in pack_files():
        spec = pack_parse(path, PARAMS).spec
        for entry in spec.enterprises:
            for code in entry.clusters:
                roles = list(Membership.objects.filter(
                    cluster__programme__code=spec.code, cluster__code=code, enterprise__name=entry.name,
                ).values_list("role", flat=True))
                if roles != [ROLE_MAP[entry.role]]:
                    differing.append((spec.code, code, entry.name, entry.role, roles))
    assert differing == []


def test_backbone_enterprises_the_documents_name_stay_backbone():
    qilu = Membership.objects.get(cluster__programme__code="SD-2016-3", cluster__code="biomedicine",
                                  enterprise__name="齐鲁制药")
    assert qilu.role == "backbone"
    for name in ("鲁泰化学", "盛发焦化"):
        membership = Membership.objects.get(cluster__programme__code="JN-2020-231",
                                            cluster__code="high-end-chemical", enterprise__name=name)
        assert membership.role == "backbone"


@pytest.mark.parametrize("name", ["泰山玻纤", "润峰电力", "如意集团"])
def test_jining_enterprises_are_jining_enterprises_distinct_from_same_names_elsewhere(name):
    jining = {m.enterprise for m in Membership.objects.filter(
        cluster__programme__code="JN-2020-231", enterprise__name=name).select_related("enterprise__region")}
    assert len(jining) == 1
    enterprise = jining.pop()
    assert in_jining(enterprise.region)
    provincial = Membership.objects.filter(cluster__programme__code="SD-2016-3", enterprise__name=name)
    assert provincial.exists()
    assert all(m.enterprise_id != enterprise.pk for m in provincial)


def test_taishan_fibreglass_is_placed_in_zoucheng():
    membership = Membership.objects.get(cluster__programme__code="JN-2020-231", enterprise__name="泰山玻纤")
    assert membership.enterprise.region.name == "邹城市"


def test_t29_is_aspirational():
    target = Target.objects.get(programme__code="SD-2023-185", code="T29")
    assert target.aspiration == "力争" and target.aspirational


@pytest.mark.parametrize("path", pack_files(), ids=lambda p: p.name)
def test_every_quote_that_says_strive_is_marked_aspirational(path):
    spec = pack_parse(path, PARAMS).spec
    unmarked = [t.code for t in spec.targets
                if re.search("力争|争取|努力", t.quote or "") and not t.aspiration]
    assert unmarked == []


def test_aspirational_tag_shows_on_the_target_pages(as_province):
    target = Target.objects.get(programme__code="SD-2023-185", code="T29")
    detail = as_province.get(f"/targets/{target.pk}/").content.decode()
    assert 'id="aspiration"' in detail and "力争" in detail
    listing = as_province.get("/targets/programme/SD-2023-185/").content.decode()
    assert '<span class="tag" title=' in listing


def test_sd_2023_185_names_only_responsible_units():
    tasks = Programme.objects.get(code="SD-2023-185").tasks.all()
    assert tasks and all(task.lead_units == [] and task.responsible_units for task in tasks)
    out = io.StringIO()
    call_command("programmes", "show", "SD-2023-185", stdout=out)
    assert "牵头" not in out.getvalue() and "责任 省工业和信息化厅" in out.getvalue()


def test_jining_tasks_keep_their_lead_units():
    task = Programme.objects.get(code="JN-2020-231").tasks.get(code="K01")
    assert task.lead_units == ["市工业和信息化局"]


@pytest.mark.parametrize("programme, codes, year", [
    ("SD-2016-3", ["T03", "T04", "T05"], "2020"),
    ("SD-SEI-2020", ["T09", "T10"], "2021"),
    ("SD-2015-4", ["T02"], "2020"),
])
def test_assumed_years_carry_their_note(programme, codes, year):
    for target in Target.objects.filter(programme__code=programme, code__in=codes):
        assert year in target.note, target.code
    assert Target.objects.filter(programme__code=programme, code__in=codes).count() == len(codes)


def test_assumed_year_note_shows_on_the_target_page(as_province):
    target = Target.objects.get(programme__code="SD-2016-3", code="T03")
    page = as_province.get(f"/targets/{target.pk}/").content.decode()
    assert "文件未写年份" in page


def test_chemical_domain_lists_every_city_its_clause_names():
    cluster = Cluster.objects.get(programme__code="SD-2016-3", code="chemical")
    names = set(cluster.regions.values_list("name", flat=True))
    assert {"青岛市", "烟台市", "威海市", "潍坊市", "滨州市", "东营市",
            "聊城市", "临沂市", "德州市", "枣庄市", "济宁市", "菏泽市"} <= names


def test_display_text_puts_the_converter_artefacts_right():
    assert display_text("到 ２０２５ 年ꎬ营业收入ꎻ达到ꎮ") == "到2025年，营业收入；达到。"
    assert display_text("LNG fuel") == "LNG fuel"


def test_source_paragraphs_join_the_hard_wrapped_lines():
    text = source_paragraphs(JINING_SOURCE.read_text(encoding="utf-8"))
    assert not ARTEFACTS.search(text)
    # In the source this sentence is broken after 更大 and again by a blank line.
    assert "做大做强开放合作平台，更大力度招大引强、招才引智" in text
    assert "—2—" not in text


def test_jining_source_page_reads_as_paragraphs_and_marks_the_quote(as_jining):
    target = Target.objects.filter(programme__code="JN-2020-231", quote__contains="ꎬ").first()
    page = as_jining.get("/programmes/JN-2020-231/source/", {"q": target.quote}).content.decode()
    assert '<mark id="hl">' in page
    assert not ARTEFACTS.search(page)
    assert "做大做强开放合作平台，更大力度招大引强、招才引智" in page
    marked = re.search(r'<mark id="hl">(.*?)</mark>', page, re.S).group(1)
    assert re.sub(r"\s+", "", marked) == re.sub(r"\s+", "", display_text(target.quote))


def test_a_jining_quote_shows_proper_punctuation_on_the_target_page(as_jining):
    target = Target.objects.filter(programme__code="JN-2020-231", quote__contains="ꎬ").first()
    page = as_jining.get(f"/targets/{target.pk}/").content.decode()
    assert display_text(target.quote) in page
    assert not ARTEFACTS.search(page)


def test_the_stored_jining_quotes_still_stand_in_the_source():
    parsed = pack_parse(pack_files()[0].parent / "jn-2020-231.yaml", PARAMS)
    source = re.sub(r"\s+", "", JINING_SOURCE.read_text(encoding="utf-8"))
    quotes = [t.quote for t in parsed.spec.targets if t.quote]
    assert any("ꎬ" in q for q in quotes)
    assert all(re.sub(r"\s+", "", q) in source for q in quotes)


def test_the_loader_refuses_a_quote_the_source_does_not_contain(tmp_path):
    data = yaml.safe_load((pack_files()[0].parent / "jn-2020-231.yaml").read_text(encoding="utf-8"))
    data["targets"][0]["quote"] = display_text(data["targets"][0]["quote"]) + "（改写）"
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as info:
        pack_parse(path, PARAMS)
    assert f"targets[0] ({data['targets'][0]['code']}).quote" in str(info.value)
    assert "quote is not in the source text" in str(info.value)


def test_the_loader_refuses_aspiration_the_quote_does_not_say(tmp_path):
    data = yaml.safe_load((pack_files()[0].parent / "sd-2023-185.yaml").read_text(encoding="utf-8"))
    data["targets"][0]["aspiration"] = "争取"
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(PackError) as info:
        pack_parse(path, PARAMS)
    assert "aspiration" in str(info.value) and "争取" in str(info.value)


def test_jining_evaluation_rules_are_loaded_and_shown():
    programme = Programme.objects.get(code="JN-2020-231")
    rules = {rule["code"]: rule for rule in programme.evaluation["rules"]}
    assert rules["R1"]["consequence"] == "bonus" and rules["R1"]["yearly"]
    assert rules["R4"]["consequence"] == "warning" and "通报约谈" in rules["R4"]["name"]
    out = io.StringIO()
    call_command("programmes", "show", "JN-2020-231", stdout=out)
    assert "考核奖惩" in out.getvalue() and "单独考核加分" in out.getvalue()


def test_jining_work_teams_are_a_task_without_invented_units():
    task = Programme.objects.get(code="JN-2020-231").tasks.get(code="K16")
    assert "6个产业集群工作专班" in task.title and task.lead_units == [] == task.responsible_units


def test_an_enterprise_is_matched_by_name_and_place_on_reinstall(tmp_path, province_admin):
    from jiqun.enterprises.models import Enterprise
    from jiqun.programmes.services import pack_install

    parsed = pack_parse(pack_files()[0].parent / "jn-2020-231.yaml", PARAMS)
    before = sorted(Enterprise.objects.filter(name="泰山玻纤").values_list("pk", "region_id"))
    assert len(before) == 2  # SD-2016-3's, placed nowhere, and Jining's in 邹城市
    pack_install(actor=province_admin, parsed=parsed)
    assert sorted(Enterprise.objects.filter(name="泰山玻纤").values_list("pk", "region_id")) == before
