"""The chain pages per persona: who sees which chain and which amounts, the map's data, the segment panel,
the forms (bad input named by field and nothing changed, stale edits refused), the downloads and the English UI."""

import json
import re
from html import unescape

import pytest
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.chains.models import Chain, ChainRevision, OutsideCompany, Placement, Segment, SupplyLink
from jiqun.chains.services import segment_update
from jiqun.chains.tests.pages_fixtures import World, build
from jiqun.conftest import client_for
from jiqun.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build()


def _as(username: str):
    return client_for(User.objects.get(username=username))


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _sheets(content: bytes) -> dict[str, list[list]]:
    import io

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


# --- who sees what ------------------------------------------------------------------------------------

def test_the_list_shows_the_users_chains_with_their_rating_counts_and_rate(world):
    page = _html(_as("jining").get("/chains/"))
    assert "页面测试工程机械链" in page and "页面测试济南链" not in page
    row = re.search(r'<tr data-chain="T-PAGES">(.*?)</tr>', page, re.S).group(1)
    cells = [unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # 4 segments: M1 (链主, counts as 2 of 3) and U1 (an outside company only: 缺) …
    assert cells[5] == "4"
    assert int(cells[6]) + int(cells[7]) + int(cells[8]) == 4
    assert cells[9] == "0.00%"  # everything bought from outside
    assert cells[10] == "50%"


def test_the_list_filters_by_cluster_and_region(world):
    client = _as("sheng")
    cluster = world.chain.clusters.order_by("pk").first()
    by_cluster = _html(client.get("/chains/", {"cluster": cluster.pk}))
    assert "页面测试工程机械链" in by_cluster and "页面测试济南链" not in by_cluster
    by_region = _html(client.get("/chains/", {"region": "370100"}))
    assert "页面测试济南链" in by_region and "页面测试工程机械链" not in by_region
    refused = _html(client.get("/chains/", {"region": "999999"}))
    assert "筛选条件有误" in refused


def test_another_citys_chain_and_everything_on_it_is_a_404(world):
    jinan = _as("jinan")
    for url in (f"/chains/{world.chain.pk}/", f"/chains/segment/{world.parts.pk}/",
                f"/chains/{world.chain.pk}/download/map.xlsx", f"/chains/segment/{world.parts.pk}/download.xlsx",
                f"/chains/segment/{world.parts.pk}/place/", f"/chains/link/{world.link.pk}/edit/",
                f"/chains/{world.chain.pk}/edit/"):
        assert jinan.get(url).status_code == 404, url
    assert jinan.post(f"/chains/placement/{world.leader.pk}/remove/", {"version": 1}).status_code == 404
    assert Placement.objects.filter(pk=world.leader.pk).exists()


def test_a_county_sees_the_city_chain_of_its_cluster_but_no_amounts(world):
    rencheng = _as("rencheng")
    page = _html(rencheng.get(f"/chains/{world.chain.pk}/"))
    assert "页面测试工程机械链" in page and "0.00%" in page  # the rate, an aggregate, is shown
    panel = _html(rencheng.get(f"/chains/segment/{world.parts.pk}/", headers={"HX-Request": "true"}))
    assert "江苏页面测试液压有限公司" in panel  # who is placed on the map is not sensitive
    assert "supply-links" not in panel and "1234.50" not in panel.replace(",", "")
    assert rencheng.get(f"/chains/link/{world.link.pk}/edit/").status_code == 404
    book = _sheets(rencheng.get(f"/chains/segment/{world.parts.pk}/download.xlsx").content)
    assert "供应关系" not in book


def test_the_city_sees_the_amounts_in_the_panel_and_its_download(world):
    client = _as("jining")
    panel = _html(client.get(f"/chains/segment/{world.parts.pk}/", headers={"HX-Request": "true"}))
    assert 'id="supply-links"' in panel and "1234.50" in panel.replace(",", "")
    assert "<html" not in panel  # the partial
    page = _html(client.get(f"/chains/segment/{world.parts.pk}/"))
    assert "<html" in page and "液压件" in page  # the same panel as a page of its own
    book = _sheets(client.get(f"/chains/segment/{world.parts.pk}/download.xlsx").content)
    assert book["供应关系"][2][1:] == [world.local.name, "江苏页面测试液压有限公司", "液压泵", 1234.5]
    assert book["环节企业"][2][0] == "江苏页面测试液压有限公司"


def test_a_cluster_organisation_sees_its_chain_edits_its_map_but_not_supply_links(world):
    org = _as("jiqun_org")
    page = _html(org.get(f"/chains/{world.chain.pk}/"))
    assert 'id="segment-add"' in page
    response = org.post(f"/chains/{world.chain.pk}/segments/new/", {
        "code": "U2", "name": "发动机", "position": "upstream", "kind": "product", "sort": "2"})
    assert response.status_code == 302
    assert Segment.objects.filter(chain=world.chain, code="U2").exists()
    panel = _html(org.get(f"/chains/segment/{world.parts.pk}/", headers={"HX-Request": "true"}))
    assert "supply-links" not in panel and "link-add" not in panel
    assert org.get(f"/chains/segment/{world.parts.pk}/links/new/").status_code == 302  # sent back
    before = SupplyLink.objects.count()
    assert org.post(f"/chains/segment/{world.parts.pk}/links/new/", {
        "year": 2025, "buyer": world.local.pk, "supplier_company": world.outside.pk}).status_code == 403
    assert SupplyLink.objects.count() == before
    assert org.get(f"/chains/link/{world.link.pk}/edit/").status_code == 404


def test_a_leader_reads_but_cannot_edit(world):
    lingdao = _as("lingdao")  # the province's leader sees every chain and changes none
    page = _html(lingdao.get(f"/chains/{world.chain.pk}/"))
    assert 'id="segment-add"' not in page
    assert lingdao.get(f"/chains/{world.chain.pk}/edit/").status_code == 302
    assert lingdao.post(f"/chains/{world.chain.pk}/edit/", {}).status_code == 403


# --- the chain page ----------------------------------------------------------------------------------

def test_the_chain_page_carries_the_map_the_gap_list_and_the_facts(world):
    page = _html(_as("jining").get(f"/chains/{world.chain.pk}/"))
    data = json.loads(unescape(re.search(r'data-chart="chain-map" data-values="([^"]*)"', page).group(1)))
    assert [g["position"] for g in data["children"]] == ["upstream", "midstream", "downstream"]
    upstream, midstream, downstream = data["children"]
    assert upstream["children"][0]["name"] == "U1 液压件"
    assert upstream["children"][0]["rating"] == "missing"  # only an outside company: 缺
    assert midstream["children"][0]["children"][0]["name"] == "M1.1 系统集成"  # the sub-segment under its parent
    assert downstream["children"][0]["extension"] is True and downstream["children"][0]["need"] == "extend"
    assert upstream["children"][0]["url"] == f"/chains/segment/{world.parts.pk}/"
    gaps = re.search(r'<table class="list" id="gaps">(.*?)</table>', page, re.S).group(1)
    assert 'data-segment="U1" data-need="fill"' in gaps and 'data-segment="D1" data-need="extend"' in gaps
    assert "本地企业：0" in gaps  # the rule's inputs beside each rating
    assert "某副市长" in page and 'id="target">50%' in page
    assert "第 5 版" in page  # four segments added: four restructurings
    assert 'src="/static/vendor/echarts/echarts.min.js"' in page and 'src="/static/chains/chain.js"' in page


def test_the_english_ui_renders_the_chain_pages(world):
    client = _as("jining")
    client.post("/i18n/setlang/", {"language": "en", "next": "/chains/"})
    for url in ("/chains/", f"/chains/{world.chain.pk}/", f"/chains/segment/{world.parts.pk}/"):
        page = _html(client.get(url))
        assert '<html lang="en">' in page


# --- downloads ---------------------------------------------------------------------------------------

def test_each_table_downloads_as_excel_and_each_download_is_audited(world):
    client = _as("jining")
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    book = _sheets(client.get(f"/chains/{world.chain.pk}/download/map.xlsx").content)
    rows = {row[0]: row for row in book["产业链图谱"][2:]}
    assert set(rows) == {"U1", "M1", "M1.1", "D1"}
    assert rows["U1"][4] == "缺" and rows["U1"][5] == "补链" and rows["M1.1"][2] == "M1"
    assert [r[0] for r in book["结构版本"][2:]] == [1, 2, 3, 4]
    gaps = _sheets(client.get(f"/chains/{world.chain.pk}/download/gaps.xlsx").content)["短板清单"]
    needs = {r[0]: r[5] for r in gaps[2:]}
    assert needs["U1"] == "补链" and needs["D1"] == "延链"
    assert [r[0] for r in gaps[2:]].index("U1") < [r[0] for r in gaps[2:]].index("D1")  # 补链 before 延链
    trend = _sheets(client.get(f"/chains/{world.chain.pk}/download/trend.xlsx").content)["本地配套率"]
    assert trend[2] == [2025, 0.0, "按金额", 50.0]
    assert client.get(f"/chains/{world.chain.pk}/download/other.xlsx").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == before + 3


def test_text_beginning_like_a_formula_is_written_as_text(world):
    officer = User.objects.get(username="jining")
    segment_update(actor=officer, segment=world.system, base_version=world.system.version, name="=HYPERLINK(1)")
    book = _sheets(_as("jining").get(f"/chains/{world.chain.pk}/download/map.xlsx").content)
    names = [r[1] for r in book["产业链图谱"][2:]]
    assert "'=HYPERLINK(1)" in names


# --- the forms ---------------------------------------------------------------------------------------

def _errors(page: str) -> str:
    return unescape(" ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)) + " ".join(
        re.findall(r'<li class="error">(.*?)</li>', page, re.S)))


def test_creating_a_chain_and_its_bad_input(world):
    client = _as("jining")
    assert 'id="chain-create"' in _html(client.get("/chains/"))
    base = {"code": "T-NEW", "name": "新建测试链", "region": "370800", "local_scope": "city"}
    cases = [
        ({"name": ""}, "name"),
        ({"code": "T-PAGES"}, "T-PAGES"),  # the code is taken
        ({"local_scope": "radius"}, "半径"),
        ({"local_rate_target": "150"}, "0 到 100"),
        ({"region": "370100"}, "region"),  # another city: not a choice
    ]
    for change, expected in cases:
        page = _html(client.post("/chains/new/", base | change))
        assert expected in page and "errorlist" in page, change
    assert not Chain.objects.filter(code="T-NEW").exists()
    response = client.post("/chains/new/", base)
    assert response.status_code == 302
    chain = Chain.objects.get(code="T-NEW")
    assert chain.region_id == "370800" and response.url == f"/chains/{chain.pk}/"
    assert _as("jiqun_org").get("/chains/new/").status_code == 404  # a cluster organisation creates none


def test_the_chain_settings_form_refuses_a_stale_save(world):
    client = _as("jining")
    form = {"name": "改名的链", "region": "370800", "local_scope": "city", "local_rate_target": "60",
            "version": world.chain.version}
    assert client.post(f"/chains/{world.chain.pk}/edit/", form).status_code == 302
    page = _html(client.post(f"/chains/{world.chain.pk}/edit/", form | {"name": "旧表单"}))
    assert "已于" in _errors(page) and "您的修改未保存" in _errors(page)
    assert Chain.objects.get(pk=world.chain.pk).name == "改名的链"
    page = _html(client.post(f"/chains/{world.chain.pk}/edit/", {k: v for k, v in form.items() if k != "version"}))
    assert "版本号" in page


def test_the_segment_forms_bad_input_and_stale_edit(world):
    client = _as("jining")
    url = f"/chains/{world.chain.pk}/segments/new/"
    base = {"code": "U3", "name": "电控", "position": "upstream", "kind": "product"}
    revisions = ChainRevision.objects.filter(chain=world.chain).count()
    for change, expected in [({"code": "U1"}, "U1"), ({"industry_codes": "abc123"}, "GB/T 4754"),
                             ({"position": "sideways"}, "position"), ({"name": ""}, "name"),
                             ({"parent": "99999999999999999999"}, "parent")]:
        page = _html(client.post(url, base | change))
        assert expected in page and "errorlist" in page, change
    assert not Segment.objects.filter(chain=world.chain, code="U3").exists()
    assert ChainRevision.objects.filter(chain=world.chain).count() == revisions  # nothing restructured
    edit = f"/chains/segment/{world.system.pk}/edit/"
    form = {"name": "系统集成与调试", "position": "midstream", "kind": "product", "parent": world.assembly.pk,
            "version": world.system.version}
    assert client.post(edit, form).status_code == 302
    page = _html(client.post(edit, form | {"name": "旧名称"}))
    assert "您的修改未保存" in _errors(page)
    assert Segment.objects.get(pk=world.system.pk).name == "系统集成与调试"
    page = _html(client.post(edit, form | {"version": Segment.objects.get(pk=world.system.pk).version,
                                           "parent": world.system.pk}))
    assert "parent" in page and "errorlist" in page  # not itself (not offered as a choice)
    # Retire: a segment with a live child is refused; the child first.
    page = _html(client.post(f"/chains/segment/{world.assembly.pk}/retire/", {"version": world.assembly.version}))
    assert "下级环节" in _errors(page)
    system = Segment.objects.get(pk=world.system.pk)
    assert client.post(f"/chains/segment/{system.pk}/retire/", {"version": system.version}).status_code == 302
    assert Segment.objects.get(pk=system.pk).retired


def test_placing_an_enterprise_or_an_outside_company_and_removing_it(world):
    client = _as("jining")
    url = f"/chains/segment/{world.system.pk}/place/"
    companies = OutsideCompany.objects.count()
    for change, expected in [({}, "三选一"),
                             ({"enterprise": world.local.pk, "company": world.outside.pk}, "三选一"),
                             ({"new_company_name": "新公司", "new_company_credit_code": "123"}, "new_company_credit_code"),
                             ({"new_company_place": "江苏省"}, "请同时填写其名称"),
                             ({"enterprise": world.local.pk, "role": "boss"}, "role")]:
        page = _html(client.post(url, {"role": "supporting"} | change))
        assert expected in page and "errorlist" in page, change
    assert OutsideCompany.objects.count() == companies  # a refused placement registers no company
    assert not Placement.objects.filter(segment=world.system).exists()
    assert client.post(url, {"enterprise": world.local.pk, "role": "backbone", "product": "控制器"}).status_code == 302
    response = client.post(url, {"new_company_name": "浙江页面测试电控有限公司", "new_company_place": "浙江省杭州市",
                                 "role": "supporting"})
    assert response.status_code == 302
    assert {str(p.party) for p in Placement.objects.filter(segment=world.system)} == {
        world.local.name, "浙江页面测试电控有限公司"}
    page = _html(client.post(url, {"enterprise": world.local.pk, "role": "backbone"}))
    assert "已在环节" in page  # twice on one segment
    placement = Placement.objects.get(segment=world.system, enterprise=world.local)
    client.post(f"/chains/placement/{placement.pk}/remove/", {"version": placement.version + 5})
    assert Placement.objects.filter(pk=placement.pk).exists()  # stale: kept
    client.post(f"/chains/placement/{placement.pk}/remove/", {"version": placement.version})
    assert not Placement.objects.filter(pk=placement.pk).exists()


def test_the_enterprise_picker_offers_only_enterprises_the_user_sees(world):
    org = User.objects.get(username="jiqun_org")  # sees its clusters' enterprises only
    elsewhere = Enterprise.objects.exclude(pk__in=Enterprise.objects.for_user(org).values("pk")).order_by("pk").first()
    page = _html(_as("jining").post(f"/chains/segment/{world.system.pk}/place/", {
        "enterprise": 99999999, "role": "supporting"}))
    assert "enterprise" in page and "errorlist" in page
    page = _html(_as("jiqun_org").post(f"/chains/segment/{world.system.pk}/place/", {
        "enterprise": elsewhere.pk, "role": "supporting"}))
    assert "enterprise" in page and "errorlist" in page
    assert not Placement.objects.filter(segment=world.system).exists()


def test_supply_links_are_added_corrected_and_removed_with_bad_input_named(world):
    client = _as("jining")
    url = f"/chains/segment/{world.parts.pk}/links/new/"
    base = {"year": "2024", "buyer": world.local.pk, "supplier_company": world.outside.pk, "amount": "800"}
    count = SupplyLink.objects.count()
    for change, expected in [({"supplier": world.local.pk}, "二选一"), ({"year": "1999"}, "year"),
                             ({"amount": "-5"}, "amount"), ({"amount": "abc"}, "amount"),
                             ({"buyer": ""}, "二选一"), ({"supplier_company": "", "supplier": world.local.pk},
                                                        "同一家企业")]:
        page = _html(client.post(url, base | change))
        assert expected in page and "errorlist" in page, change
    assert SupplyLink.objects.count() == count
    assert client.post(url, base).status_code == 302
    link = SupplyLink.objects.get(segment=world.parts, year=2024)
    edit = f"/chains/link/{link.pk}/edit/"
    assert client.post(edit, {"year": "2024", "amount": "900", "version": link.version}).status_code == 302
    page = _html(client.post(edit, {"year": "2024", "amount": "1", "version": link.version}))
    assert "您的修改未保存" in _errors(page)
    page = _html(client.post(edit, {"year": "2024", "amount": "-1", "version": link.version + 1}))
    assert "amount" in page and "errorlist" in page
    assert SupplyLink.objects.get(pk=link.pk).amount == 900
    client.post(f"/chains/link/{link.pk}/remove/", {"version": link.version + 1})
    assert not SupplyLink.objects.filter(pk=link.pk).exists()


def test_the_outside_inputs_list_is_shown_and_downloaded_only_by_who_sees_supply_links(as_jining, as_jinan):
    """What was bought outside the region and from whom names suppliers, buyers and amounts: the chain's region
    sees it on the page and downloads it; another city sees neither (the chain itself is a 404 there)."""
    from jiqun.chains.models import Chain

    chain = Chain.objects.get(code="JN-GCJX")
    page = as_jining.get(f"/chains/{chain.pk}/")
    assert page.status_code == 200 and 'id="outside-inputs"' in page.content.decode()
    download = as_jining.get(f"/chains/{chain.pk}/download/outside.xlsx")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert as_jinan.get(f"/chains/{chain.pk}/download/outside.xlsx").status_code == 404
    county = client_for(User.objects.get(username="rencheng"))  # sees the city chain of its cluster, not its links
    seen = county.get(f"/chains/{chain.pk}/")
    assert seen.status_code == 404 or 'id="outside-inputs"' not in seen.content.decode()
    assert county.get(f"/chains/{chain.pk}/download/outside.xlsx").status_code == 404
