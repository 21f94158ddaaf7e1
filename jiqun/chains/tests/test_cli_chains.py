"""`jiqun chains list|show|gaps|import|export`, as the system or --user, including bad input (a CommandError in
the user's language, non-zero exit, nothing changed)."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jiqun.chains import excel as X
from jiqun.chains.models import Chain, Segment
from jiqun.chains.tests.chain_fixtures import counts, make_chain, read_sheets, rebuild, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(jining_officer) -> Chain:
    return make_chain(jining_officer)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("chains", *args, stdout=out)
    return out.getvalue()


def test_list_show_and_gaps(chain):
    assert "T-EX" in {row["code"] for row in json.loads(_run("list", "--json"))}
    assert "T-EX" not in {row["code"] for row in json.loads(_run("list", "--json", "--user", "jinan"))}
    shown = json.loads(_run("show", "T-EX", "--json", "--user", "jining", "--year", "2025"))
    assert shown["year"] == 2025 and [s["code"] for s in shown["segments"]] == ["U1", "U1.1", "M1", "D1"]
    assert "液压泵" in _run("show", "T-EX")
    gaps = json.loads(_run("gaps", "T-EX", "--json"))
    assert "D1" in {g["segment"] for g in gaps["gaps"]}
    assert "延链" in _run("gaps", "T-EX")


def test_export_then_import_under_a_new_code(chain, tmp_path):
    path = tmp_path / "链.xlsx"
    assert "已写入" in _run("export", "T-EX", "-o", str(path), "--user", "jining")
    assert X.LINK_SHEET in read_sheets(path.read_bytes())
    out = json.loads(_run("import", str(path), "--chain", "T-CLI", "--user", "jining", "--json"))
    assert out["chain_created"] and snapshot(Chain.objects.get(code="T-CLI")) == snapshot(chain)
    assert "已整体替换 2024、2025 年度的供应关系" in _run("import", str(path), "--chain", "T-CLI")


@pytest.mark.parametrize(("args", "message"), [
    (("show", "NOPE"), "没有编码为“NOPE”的产业链"),
    (("show", "T-EX", "--user", "jinan"), "没有编码为“T-EX”的产业链"),
    (("gaps", "T-EX", "--year", "２０２５"), "--year 的值“２０２５”无效"),
    (("list", "--user", "nobody"), "--user：用户 nobody 不存在"),
    (("export", "T-EX", "-o", "/no/such/dir/a.xlsx"), "目录 /no/such/dir 不存在"),
    (("import", "/no/such/file.xlsx"), "不存在"),
])
def test_bad_arguments_are_refused_in_chinese(chain, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_a_bad_file_is_refused_with_rows_and_columns_and_nothing_written(chain, jining_officer, tmp_path):
    from jiqun.chains.excel import export_chain

    path = tmp_path / "坏.xlsx"
    path.write_bytes(rebuild(export_chain(jining_officer, chain), rows={X.SEGMENT_SHEET: [
        ["U1", "设计", "U1.1", "上游"], ["U1", "重复", "", "上游"]]}))
    before = counts()
    with pytest.raises(CommandError) as refused:
        _run("import", str(path), "--user", "jining")
    assert "环节 第3行 C列" in str(refused.value) or "环节 第4行 A列" in str(refused.value)
    assert "未写入任何数据" in str(refused.value)
    with pytest.raises(CommandError, match="已被占用"):
        _run("import", str(path), "--chain", "T-EX", "--user", "jinan")
    assert counts() == before and Segment.objects.get(chain=chain, code="U1").name == "=液压设计"
