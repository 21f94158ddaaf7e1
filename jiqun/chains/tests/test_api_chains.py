"""/api/v1/chains: the chain with its rated tree, gaps and local rate; segment writes with If-Match; supply links
only for the chain's region; Excel in and out; another city gets 404."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiqun.accounts.models import User
from jiqun.chains import excel as X
from jiqun.chains.models import Chain, Segment
from jiqun.chains.services import chain_update
from jiqun.chains.tests.chain_fixtures import counts, make_chain, read_sheets, rebuild
from jiqun.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(jining_officer) -> Chain:
    return make_chain(jining_officer)


@pytest.fixture
def jining(jining_officer):
    return token_client(jining_officer)


def _patch(client, url: str, body: dict, version=None):
    headers = {"If-Match": f'"{version}"'} if version is not None else {}
    return client.patch(url, data=json.dumps(body), content_type="application/json", headers=headers)


def test_the_chain_comes_with_its_rated_tree_gaps_and_local_rate(chain, jining):
    assert "T-EX" in [c["code"] for c in jining.get("/api/v1/chains").json()["items"]]
    detail = jining.get(f"/api/v1/chains/{chain.pk}").json()
    tree = [(s["code"], s["depth"], s["parent"]) for s in detail["segments"]]
    assert tree == [("U1", 0, None), ("U1.1", 1, "U1"), ("M1", 0, None), ("D1", 0, None)]
    assert {s["code"]: s["need"] for s in detail["segments"]}["D1"] == "extend"
    assert all(s["rating"] in ("strong", "weak", "missing") and s["inputs"] for s in detail["segments"])
    gaps = jining.get(f"/api/v1/chains/{chain.pk}/gaps").json()
    assert "D1" in {g["segment"] for g in gaps["gaps"]} and all(g["need"] != "keep" for g in gaps["gaps"])
    rate = jining.get(f"/api/v1/chains/{chain.pk}/local-rate?year=2025").json()
    assert rate["year"] == 2025 and rate["target"] == "60.00"
    assert [t["year"] for t in rate["trend"]] == [2024, 2025]
    assert jining.get(f"/api/v1/chains/{chain.pk}/gaps?year=1999").status_code == 422


def test_another_city_gets_404_everywhere(chain, jinan_officer):
    jinan = token_client(jinan_officer)
    segment = Segment.objects.get(chain=chain, code="U1")
    assert "T-EX" not in [c["code"] for c in jinan.get("/api/v1/chains").json()["items"]]
    for url in ("", "/gaps", "/local-rate", "/placements", "/supply-links", "/export"):
        assert jinan.get(f"/api/v1/chains/{chain.pk}{url}").status_code == 404, url
    assert _patch(jinan, f"/api/v1/chains/segments/{segment.pk}", {"name": "外市"}, segment.version).status_code == 404
    assert jinan.post(f"/api/v1/chains/{chain.pk}/segments", data=json.dumps(
        {"code": "X", "name": "外市", "position": "upstream"}), content_type="application/json").status_code == 404


def test_supply_links_are_for_the_chain_region_only(chain, jining, jining_officer):
    links = jining.get(f"/api/v1/chains/{chain.pk}/supply-links?year=2025").json()["items"]
    assert [(link["segment"], link["supplier"], link["amount"]) for link in links] == [
        ("U1.1", "江苏测试液压有限公司", "1200.50")]
    org = User.objects.get(username="jiqun_org")
    chain_update(actor=jining_officer, chain=chain, base_version=chain.version, clusters=list(org.clusters.all()))
    client = token_client(org)
    assert client.get(f"/api/v1/chains/{chain.pk}").status_code == 200  # the map is not sensitive
    assert client.get(f"/api/v1/chains/{chain.pk}/supply-links").status_code == 404
    assert X.LINK_SHEET not in read_sheets(client.get(f"/api/v1/chains/{chain.pk}/export").content)


def test_segments_are_added_changed_with_if_match_and_retired(chain, jining):
    answer = jining.post(f"/api/v1/chains/{chain.pk}/segments", data=json.dumps(
        {"code": "M2", "name": "控制系统", "position": "midstream", "parent": "M1"}), content_type="application/json")
    assert answer.status_code == 201 and answer.json()["parent"] == "M1"
    segment = Segment.objects.get(chain=chain, code="M2")
    url = f"/api/v1/chains/segments/{segment.pk}"
    assert _patch(jining, url, {"name": "电控系统"}).status_code == 428
    assert _patch(jining, url, {"name": "电控系统"}, version=99).status_code == 412
    moved = _patch(jining, url, {"parent": "", "position": "upstream"}, version=segment.version)
    assert moved.status_code == 200 and moved.json()["parent"] is None and moved.json()["version"] == 2
    assert _patch(jining, url, {"parent": "NOPE"}, version=2).json()["errors"]["parent"]
    assert _patch(jining, url, {"position": "sideways"}, version=2).status_code == 400
    retire = f"{url}/retire"
    assert jining.post(retire, data="{}", content_type="application/json").status_code == 428
    done = jining.post(retire, data="{}", content_type="application/json", headers={"If-Match": "2"})
    assert done.status_code == 200 and done.json()["retired"] is True
    bad = jining.post(f"/api/v1/chains/{chain.pk}/segments", data=json.dumps(
        {"code": "U1", "name": "重复", "position": "upstream"}), content_type="application/json")
    assert bad.status_code == 400 and "U1" in bad.json()["errors"]["code"][0]


def test_placements_are_listed_and_added(chain, jining):
    rows = jining.get(f"/api/v1/chains/{chain.pk}/placements").json()["items"]
    assert {(r["segment"], r["name"]) for r in rows} >= {("U1.1", "江苏测试液压有限公司")}
    company = rows[[r["name"] for r in rows].index("江苏测试液压有限公司")]["company"]
    answer = jining.post(f"/api/v1/chains/{chain.pk}/placements", data=json.dumps(
        {"segment": "U1", "company": company, "role": "supporting", "product": "设计服务"}),
        content_type="application/json")
    assert answer.status_code == 201 and answer.json()["segment"] == "U1"
    again = jining.post(f"/api/v1/chains/{chain.pk}/placements", data=json.dumps(
        {"segment": "U1", "company": company}), content_type="application/json")
    assert again.status_code == 400


def test_the_chain_goes_out_and_back_in_through_the_api(chain, jining):
    exported = jining.get(f"/api/v1/chains/{chain.pk}/export")
    assert exported.status_code == 200 and X.LINK_SHEET in read_sheets(exported.content)
    answer = jining.post(f"/api/v1/chains/{chain.pk}/import", {"file": SimpleUploadedFile("链.xlsx", exported.content)})
    assert answer.status_code == 200 and answer.json()["link_years"] == [2024, 2025]
    bad = rebuild(exported.content, rows={X.SEGMENT_SHEET: [["U1", "", "", "上游"]]})
    before = counts()
    refused = jining.post("/api/v1/chains/import", {"file": SimpleUploadedFile("链.xlsx", bad)})
    assert refused.status_code == 400 and refused.json()["problems"][0]["column"] == "B"
    assert counts() == before
    assert jining.post("/api/v1/chains/import").status_code == 400
