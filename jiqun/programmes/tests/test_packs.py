import re
from pathlib import Path

import pytest
import yaml

from jiqun.programmes.models import Programme
from jiqun.programmes.packs import SOURCES_DIR, PackError, indicators_parse, pack_files, pack_parse
from jiqun.programmes.services import pack_install

PARAMS = {spec.code: spec.params for spec in indicators_parse()}


def minimal_pack(**changes) -> dict:
    pack = {
        "code": "TEST-1", "name": "测试工程", "version": 1, "supersedes": None,
        "document": {"number": "测试〔2026〕1号", "title": "测试文件", "issuer": "测试", "date": 2026,
                     "source": "001_d4a341c0482e1261.txt"},
        "scope": "province", "scope_city": None, "period": {"start": 2026, "end": 2027},
        "cluster_kinds": [{"code": "k", "name": "测试类", "clause": "一"}],
        "clusters": [{"code": "c1", "name": "测试集群甲", "kind": "k", "cities": ["济宁市"], "clause": "一"}],
        "targets": [{"code": "T1", "label": "营收", "subject": {"kind": "cluster", "ref": "c1"},
                     "indicator": "revenue", "value": 100, "unit": "亿元", "year": 2027, "clause": "二"}],
    }
    pack.update(changes)
    return pack


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "test-pack.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True) if not isinstance(data, str) else data, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", pack_files(), ids=lambda p: p.name)
def test_each_shipped_pack_is_valid(path):
    parsed = pack_parse(path, PARAMS)
    assert parsed.spec.targets, "a pack without targets encodes nothing to track"


@pytest.mark.parametrize("path", pack_files(), ids=lambda p: p.name)
def test_every_quote_stands_in_the_source_document(path):
    spec = pack_parse(path, PARAMS).spec
    source = re.sub(r"\s+", "", (SOURCES_DIR / spec.document.source).read_text(encoding="utf-8"))
    cited = [*spec.targets, *spec.clusters, *spec.tasks, *spec.enterprises, *spec.zones]
    missing = [(getattr(item, "code", None) or item.name, item.quote) for item in cited
               if item.quote and re.sub(r"\s+", "", item.quote) not in source]
    assert missing == []


@pytest.mark.parametrize("path", pack_files(), ids=lambda p: p.name)
def test_every_target_cites_a_clause(path):
    spec = pack_parse(path, PARAMS).spec
    assert [t.code for t in spec.targets if not t.clause] == []


def test_unknown_indicator_names_file_entry_and_reason(tmp_path):
    pack = minimal_pack()
    pack["targets"][0]["indicator"] = "no_such_indicator"
    with pytest.raises(PackError) as info:
        pack_parse(write(tmp_path, pack), PARAMS)
    assert "test-pack.yaml: targets[0] (T1).indicator: unknown indicator 'no_such_indicator'" in str(info.value)


def test_wrong_type_names_the_entry(tmp_path):
    pack = minimal_pack()
    pack["targets"][0]["value"] = "很多"
    with pytest.raises(PackError) as info:
        pack_parse(write(tmp_path, pack), PARAMS)
    assert "targets[0] (T1).value" in str(info.value)


def test_missing_field_and_unknown_key_are_both_reported(tmp_path):
    pack = minimal_pack(colour="red")
    del pack["clusters"][0]["name"]
    with pytest.raises(PackError) as info:
        pack_parse(write(tmp_path, pack), PARAMS)
    text = str(info.value)
    assert "clusters[0] (c1).name" in text and "colour" in text


def test_unknown_cluster_reference(tmp_path):
    pack = minimal_pack()
    pack["targets"][0]["subject"]["ref"] = "nope"
    with pytest.raises(PackError, match=r"targets\[0\] \(T1\).subject: unknown cluster 'nope'"):
        pack_parse(write(tmp_path, pack), PARAMS)


def test_broken_yaml_is_named(tmp_path):
    with pytest.raises(PackError, match="test-pack.yaml: \\(file\\): not valid UTF-8 YAML"):
        pack_parse(write(tmp_path, "code: [unclosed"), PARAMS)


@pytest.mark.django_db
def test_an_unknown_city_aborts_the_whole_install(tmp_path):
    pack = minimal_pack()
    pack["clusters"][0]["cities"] = ["火星市"]
    parsed = pack_parse(write(tmp_path, pack), PARAMS)
    with pytest.raises(PackError, match="'火星市' is not a Shandong city"):
        pack_install(actor=None, parsed=parsed)
    assert not Programme.objects.filter(code="TEST-1").exists()


@pytest.mark.django_db
def test_a_valid_pack_installs_and_reinstalls_in_place(tmp_path):
    parsed = pack_parse(write(tmp_path, minimal_pack()), PARAMS)
    programme = pack_install(actor=None, parsed=parsed)
    pack_install(actor=None, parsed=parsed)
    assert programme.clusters.get().regions.get().code == "370800"
    target = programme.targets.get()
    assert target.citation == "测试〔2026〕1号 二" and target.subject_cluster.name == "测试集群甲"


@pytest.mark.django_db
def test_laiwu_in_a_pack_lands_in_jinan(tmp_path):
    pack = minimal_pack()
    pack["clusters"][0]["cities"] = ["莱芜市"]
    programme = pack_install(actor=None, parsed=pack_parse(write(tmp_path, pack), PARAMS))
    assert programme.clusters.get().regions.get().code == "370100"
