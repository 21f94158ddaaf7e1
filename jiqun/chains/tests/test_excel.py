"""A whole chain out to Excel and back: the round trip keeps the chain, hostile or wrong files are refused with
their sheet, row and column and write nothing, and supply links stay with who may see them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.chains import excel as X
from jiqun.chains.excel import export_chain, template
from jiqun.chains.importer import import_chain
from jiqun.chains.models import Chain, ChainRevision, OutsideCompany, Segment, SupplyLink
from jiqun.chains.services import chain_update, outside_company_create, segment_retire
from jiqun.chains.tests.chain_fixtures import counts, data_rows, make_chain, read_sheets, rebuild, snapshot
from jiqun.conftest import client_for
from jiqun.monitoring.excel import safe_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(jining_officer) -> Chain:
    return make_chain(jining_officer)


def _refused(content: bytes, user, **kwargs) -> list[str]:
    before = counts()
    result = import_chain(user=user, content=content, file_name="链.xlsx", **kwargs)
    assert not result.ok
    assert counts() == before, "a refused import wrote something"
    return [str(p) for p in result.problems]


def test_an_exported_chain_imported_under_a_new_code_is_the_same_chain(chain, jining_officer):
    content = export_chain(jining_officer, chain)
    result = import_chain(user=jining_officer, content=content, file_name="链.xlsx", chain_code="T-COPY")
    assert result.ok, result.problems
    copy = Chain.objects.get(code="T-COPY")
    assert result.chain_created and copy.region_id == chain.region_id and copy.name == chain.name
    assert snapshot(copy) == snapshot(chain)
    # A new chain's whole tree is one structure version.
    assert ChainRevision.objects.filter(chain=copy).count() == 1 and copy.structure_version == 2


def test_reimporting_the_export_changes_nothing_but_restates_the_years_links(chain, jining_officer):
    before, version = snapshot(chain), Chain.objects.get(pk=chain.pk).structure_version
    result = import_chain(user=jining_officer, content=export_chain(jining_officer, chain), file_name="链.xlsx")
    assert result.ok, result.problems
    assert result.segments_added == result.segments_updated == [] and result.placements_added == 0
    assert result.link_years == [2024, 2025] and result.links_removed == result.links_added == 2
    assert snapshot(chain) == before
    assert Chain.objects.get(pk=chain.pk).structure_version == version
    assert AuditEvent.objects.filter(action="import", object_id=str(chain.pk)).exists()


def test_an_import_adds_updates_and_retires_segments_in_one_structure_version(chain, jining_officer):
    content = export_chain(jining_officer, chain)
    rows = data_rows(content, X.SEGMENT_SHEET)
    by_code = {r[0]: r for r in rows}
    by_code["M1"][1] = "整机装配与调试"  # renamed
    by_code["U1.1"][2] = "M1"  # moved under M1
    by_code["D1"][9] = "是"  # retired
    new = ["M1.1", "电控系统", "M1", "中游", "产品", "C38", "否", 9, "", ""]
    version = Chain.objects.get(pk=chain.pk).structure_version
    result = import_chain(user=jining_officer, content=rebuild(content, rows={X.SEGMENT_SHEET: [*rows, new]}),
                          file_name="链.xlsx")
    assert result.ok, result.problems
    assert (result.segments_added, sorted(result.segments_updated), result.segments_retired) == (
        ["M1.1"], ["M1", "U1.1"], ["D1"])
    assert Chain.objects.get(pk=chain.pk).structure_version == version + 1
    assert Segment.objects.get(chain=chain, code="U1.1").parent.code == "M1"
    assert Segment.objects.get(chain=chain, code="D1").retired
    # Segments left out of a file are kept.
    result = import_chain(user=jining_officer, content=rebuild(content, rows={X.SEGMENT_SHEET: [by_code["M1"]]},
                                                               drop=(X.LINK_SHEET,)), file_name="链.xlsx")
    assert result.ok and Segment.objects.filter(chain=chain, code="U1", retired=False).exists()


def test_the_workbook_guards_text_against_formulas_and_the_template_is_empty(chain, jining_officer):
    sheets = read_sheets(export_chain(jining_officer, chain))
    assert safe_text("=液压设计") in [row[1] for row in sheets[X.SEGMENT_SHEET]]
    assert {X.CHAIN_SHEET, X.SEGMENT_SHEET, X.PLACEMENT_SHEET, X.LINK_SHEET, X.GUIDE_SHEET, X.META_SHEET} <= set(sheets)
    empty = read_sheets(template(jining_officer))
    assert len(empty[X.SEGMENT_SHEET]) <= X.FIRST_DATA_ROW
    # The text comes back as it was typed.
    import_chain(user=jining_officer, content=export_chain(jining_officer, chain), file_name="链.xlsx",
                 chain_code="T-EQ")
    assert Segment.objects.get(chain__code="T-EQ", code="U1").name == "=液压设计"


def test_a_filled_template_creates_a_chain_resolving_and_registering_companies(jining_officer):
    content = template(jining_officer)
    from jiqun.enterprises.models import Enterprise

    local = Enterprise.objects.filter(region__code__startswith="3708").order_by("pk").first()
    filled = rebuild(content, rows={
        X.CHAIN_SHEET: [["产业链编码", "T-NEW"], ["产业链名称", "新能源汽车链"], ["牵头区划代码", "370800"],
                        ["本地范围", "同一地级市"], ["本地配套率目标（%）", 55], ["链长", "某副市长"], ["说明", ""]],
        X.SEGMENT_SHEET: [["U1", "电池", "", "上游", "产品", "C384", "否", 1, "", ""],
                          ["D1", "充电服务", "", "下游", "服务", "", "是", 2, "", ""]],
        X.PLACEMENT_SHEET: [["U1", "名录企业", local.credit_code or "", local.name, "", "龙头", "电芯"],
                            ["U1", "外地企业", "", "安徽某电池有限公司", "安徽省合肥市", "配套", "正极材料"]],
        X.LINK_SHEET: [["U1", 2025, local.name, "", "安徽某电池有限公司", "", "正极材料", "300.5", ""]],
    })
    result = import_chain(user=jining_officer, content=filled, file_name="新链.xlsx")
    assert result.ok, result.problems
    new = Chain.objects.get(code="T-NEW")
    assert new.local_rate_target == Decimal("55") and new.chief_name == "某副市长"
    assert result.companies_created == ["安徽某电池有限公司"]
    link = SupplyLink.objects.get(segment__chain=new)
    assert link.buyer == local and link.supplier_company.place == "安徽省合肥市" and link.amount == Decimal("300.50")


@pytest.mark.parametrize(("rows", "expected"), [
    ([["U1", "设计", "", "左游", "", "", "", "", "", ""]], "环节 第3行 D列：“左游”无效"),
    ([["U9", "设计", "ZZ", "上游", "", "", "", "", "", ""]], "C列：上级环节编码“ZZ”在本文件和本产业链中都不存在"),
    ([["U9", "甲", "", "上游", "", "", "", "", "", ""], ["U9", "乙", "", "上游", "", "", "", "", "", ""]],
     "第4行 A列：环节编码“U9”与第3行重复"),
    ([["U1", "设计", "U1.1", "上游", "", "", "", "", "", ""]], "上级环节构成循环：U1 → U1.1 → U1"),
    ([["", "设计", "", "上游", "", "", "", "", "", ""]], "A列：请填写环节编码"),
    ([["U9", "设计", "", "上游", "", "9999999", "", "", "", ""]], "F列：行业代码“9999999”"),
    ([["U9", "设计", "", "上游", "", "", "也许", "", "", ""]], "G列：请填“是”或“否”"),
    ([["U1", "设计", "", "上游", "", "", "", "", "", "是"]], "J列：环节“U1”下还有下级环节（U1.1）"),
    ([["U9", "设计\x07", "", "上游", "", "", "", "", "", ""]], "B列"),
])
def test_bad_segments_are_refused_with_row_and_column_and_nothing_written(chain, jining_officer, rows, expected):
    content = rebuild(export_chain(jining_officer, chain), rows={X.SEGMENT_SHEET: rows})
    problems = _refused(content, jining_officer)
    assert any(expected in p for p in problems), problems


def test_a_retired_code_cannot_come_back(chain, jining_officer):
    d1 = Segment.objects.get(chain=chain, code="D1")
    segment_retire(actor=jining_officer, segment=d1, base_version=d1.version)
    content = rebuild(export_chain(jining_officer, chain), rows={
        X.SEGMENT_SHEET: [["D1", "再制造", "", "下游", "", "", "", "", "", ""]]})
    assert any("已撤销，编码不能再用" in p for p in _refused(content, jining_officer))


def test_hostile_files_are_refused_before_they_are_read(chain, jining_officer, settings):
    content = export_chain(jining_officer, chain)
    formula = rebuild(content, formulas={(X.SEGMENT_SHEET, 2, 1): "=1+1"})
    assert any("B3" in p and "公式" in p for p in _refused(formula, jining_officer))
    far = rebuild(content, far_cell=(X.SEGMENT_SHEET, 60000, 2))
    assert any("C60001" in p and "超出模板的范围" in p for p in _refused(far, jining_officer))
    assert any("缺少“环节”工作表" in p for p in _refused(rebuild(content, drop=(X.SEGMENT_SHEET,)), jining_officer))
    assert any("不是本系统生成的产业链模板" in p for p in _refused(rebuild(content, drop=(X.META_SHEET,)), jining_officer))
    assert any("不是 .xlsx" in p for p in _refused(b"name,code\n", jining_officer))
    header = read_sheets(content)[X.PLACEMENT_SHEET][X.HEADER_ROW]
    moved = rebuild(content, rows={X.PLACEMENT_SHEET: []})
    assert header[0] == "环节编码" and moved  # a valid file with an empty sheet
    settings.JIQUN_UPLOAD_MAX_BYTES = 4096
    assert any("超过上限" in p for p in _refused(content, jining_officer))


def test_ambiguous_and_unknown_companies_are_named(chain, jining_officer):
    for place in ("江苏省无锡市", "浙江省宁波市"):
        outside_company_create(actor=jining_officer, name="同名阀门有限公司", place=place)
    content = rebuild(export_chain(jining_officer, chain), rows={X.PLACEMENT_SHEET: [
        ["U1", "", "", "同名阀门有限公司", "", "配套", ""],
        ["U1", "名录企业", "", "不存在的本地企业", "", "配套", ""],
        ["ZZ", "", "", "某公司", "", "配套", ""],
        ["U1", "", "91370800MA3C5XXXX1", "坏代码公司", "", "配套", ""],
        ["U1", "", "", "某公司", "", "首席", ""],
    ]})
    problems = _refused(content, jining_officer)
    assert any("第3行 D列：有多家外地企业名为“同名阀门有限公司”（江苏省无锡市、浙江省宁波市）" in p for p in problems), problems
    assert any("第4行 D列：在您的企业名录中没有找到“不存在的本地企业”" in p for p in problems)
    assert any("第5行 A列：环节编码“ZZ”不在本产业链" in p for p in problems)
    assert any("第6行 C列" in p for p in problems)
    assert any("第7行 F列：链上角色“首席”无效" in p for p in problems)


def test_bad_supply_links_are_refused_by_row_and_column(chain, jining_officer):
    content = rebuild(export_chain(jining_officer, chain), rows={X.LINK_SHEET: [
        ["U1", 1999, "甲", "", "乙", "", "", "", ""],
        ["U1", 2025, "甲", "", "甲", "", "", "-5", ""],
        ["U1", 2025, "", "", "乙", "", "", "十万", ""],
    ]})
    problems = _refused(content, jining_officer)
    assert any("供应关系 第3行 B列：年度须为 2000 到 2100" in p for p in problems), problems
    assert any("第4行 H列：采购金额须为 0 到" in p for p in problems)
    assert any("第5行 C列：请填写采购方" in p for p in problems)


def test_supply_links_stay_with_the_chain_region(chain, jining_officer):
    org = User.objects.get(username="jiqun_org")
    chain_update(actor=jining_officer, chain=chain, base_version=chain.version, clusters=list(org.clusters.all()))
    # The cluster organisation edits the map, but its export has no supply links, and it cannot import any.
    exported = export_chain(org, chain)
    assert X.LINK_SHEET not in read_sheets(exported)
    result = import_chain(user=org, content=exported, file_name="链.xlsx")
    assert result.ok, result.problems
    assert SupplyLink.objects.filter(segment__chain=chain).count() == 2
    with_links = export_chain(jining_officer, chain)
    assert any("只能由产业链牵头区划或省级管理员导入" in p for p in _refused(with_links, org))
    # Another city cannot import into the chain at all, nor take its code.
    jinan = User.objects.get(username="jinan")
    assert any("已被占用" in p for p in _refused(with_links, jinan))


def test_the_import_pages_show_problems_and_results(chain, jining_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(jining_officer)
    page = client.get(reverse("chain_excel:import", args=[chain.pk]))
    assert page.status_code == 200 and "按年度整体替换" in page.content.decode()
    bad = rebuild(export_chain(jining_officer, chain), rows={X.SEGMENT_SHEET: [["U1", "", "", "上游"]]})
    answer = client.post(reverse("chain_excel:import", args=[chain.pk]),
                         {"file": SimpleUploadedFile("链.xlsx", bad)}).content.decode()
    assert "未写入任何数据" in answer and "请填写环节名称" in answer
    answer = client.post(reverse("chain_excel:import_new"), {
        "file": SimpleUploadedFile("链.xlsx", export_chain(jining_officer, chain))}).content.decode()
    assert 'id="import-ok"' in answer
    export = client.get(reverse("chain_excel:export", args=[chain.pk]))
    assert export.status_code == 200 and X.LINK_SHEET in read_sheets(export.content)
    assert AuditEvent.objects.filter(action="export", object_id=str(chain.pk)).exists()
    assert client_for(User.objects.get(username="jinan")).get(
        reverse("chain_excel:export", args=[chain.pk])).status_code == 404
    assert OutsideCompany.objects.filter(name="江苏测试液压有限公司").count() == 1
