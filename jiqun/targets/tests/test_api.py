"""/api/v1/ for targets and supervision: filters, details, adjustments, task updates, checklists, bad input."""

import json

import pytest
from django.test import Client

from jiqun.conftest import token_client as api
from jiqun.programmes.models import Target, Task
from jiqun.targets.models import ChainChecklist, TargetOverride, TaskUpdate

pytestmark = pytest.mark.django_db




def send(client: Client, method: str, path: str, body: dict):
    return getattr(client, method)(path, json.dumps(body), content_type="application/json")


def target(programme: str, code: str) -> Target:
    return Target.objects.get(programme__code=programme, code=code)


def test_progress_list_filters_and_paginates(province_admin):
    client = api(province_admin)
    body = client.get("/api/v1/targets?programme=SD-2023-185&status=on_track&status=at_risk&as_of=2025-09-30").json()
    assert body["count"] == len(body["items"]) >= 1
    assert {i["status"] for i in body["items"]} <= {"on_track", "at_risk"}
    item = body["items"][0]
    assert item["citation"].startswith("鲁政办字〔2023〕185号") and item["as_of"] == "2025-09-30"
    assert client.get("/api/v1/targets?limit=2").json()["items"].__len__() == 2


def test_progress_detail_carries_the_figures_behind(province_admin):
    t05 = target("SD-2023-185", "T05")
    body = api(province_admin).get(f"/api/v1/targets/{t05.pk}?as_of=2025-09-30").json()
    assert body["current_label"] == "2025年1-9月累计" and body["elapsed"] == "75.0000"
    assert body["growth_terms"] == "rate" and "按序时折算" in body["method"]
    assert any(b["label"] == "2025年1-9月合计" for b in body["basis"])


@pytest.mark.parametrize(("query", "status", "words"), [
    ("programme=NOPE", 400, "培育工程 NOPE 不存在"), ("status=done", 400, "未知状态 done"),
    ("as_of=2025-02-30", 422, "as_of"), ("year=3000", 422, "year"), ("programme=a%00b", 422, "控制字符 U+0000"),
    ("as_of=1900-01-01", 400, "应在 2000 年至 2100 年之间"),
])
def test_bad_filters_are_refused_with_the_field_named(province_admin, query, status, words):
    response = api(province_admin).get(f"/api/v1/targets?{query}")
    assert response.status_code == status and words in response.json()["detail"]


def test_the_province_adjusts_through_the_api_and_a_city_may_not(province_admin, jining_officer):
    t13 = target("JN-2020-231", "T13")
    refused = send(api(jining_officer), "patch", f"/api/v1/targets/{t13.pk}", {"value": 700, "reason": "x"})
    assert refused.status_code == 403
    bad = send(api(province_admin), "patch", f"/api/v1/targets/{t13.pk}", {"baseline_value": 1, "reason": "纪要"})
    assert bad.status_code == 400 and "JN-2020-231 T13" in bad.json()["detail"]
    assert not TargetOverride.objects.exists()
    ok = send(api(province_admin), "patch", f"/api/v1/targets/{t13.pk}", {"value": 700, "reason": "市政府批复"})
    assert ok.status_code == 200 and ok.json()["value"] == "700.0000" and ok.json()["document_value"] == "800.0000"
    assert api(province_admin).delete(f"/api/v1/targets/{t13.pk}/adjustment").status_code == 204
    assert not TargetOverride.objects.exists()


def test_a_unit_reports_on_a_task_through_the_api(jining_officer, jinan_officer):
    k08 = Task.objects.get(programme__code="JN-2020-231", code="K08")
    client = api(jining_officer)
    assert client.get(f"/api/v1/tasks/{k08.pk}").json()["my_units"] == ["市工业和信息化局"]
    bad = send(client, "post", f"/api/v1/tasks/{k08.pk}/updates", {"status": "completed", "progress": "完成"})
    assert bad.status_code == 400 and "须附佐证材料" in bad.json()["detail"]
    ok = send(client, "post", f"/api/v1/tasks/{k08.pk}/updates", {"status": "blocked", "progress": "等待资金"})
    assert ok.status_code == 201 and ok.json()["status"] == "blocked" and len(ok.json()["updates"]) == 1
    k01 = Task.objects.get(programme__code="SD-2023-185", code="K01")
    denied = send(api(jinan_officer), "post", f"/api/v1/tasks/{k01.pk}/updates",
                  {"status": "in_progress", "progress": "x"})
    assert denied.status_code == 403 and "省工业和信息化厅" in denied.json()["detail"]
    assert TaskUpdate.objects.filter(task__in=[k01, k08]).exclude(source="demo").count() == 1
    overdue = api(jining_officer).get("/api/v1/tasks?programme=JN-2020-231&overdue=true&limit=100").json()
    assert "K08" in {t["code"] for t in overdue["items"]}


def test_checklists_through_the_api(jining_officer):
    from jiqun.chains.services import chain_create
    from jiqun.clusters.models import Cluster
    from jiqun.regions.models import Region

    client = api(jining_officer)
    cluster = Cluster.objects.get(programme__code="JN-2020-231", code="pharma")
    chain = chain_create(actor=jining_officer, code="T-SWYY", name="生物医药产业链", clusters=[cluster],
                         region=Region.objects.get(code="370800"), chief_name="测试链长")
    body = {"programme": "JN-2020-231", "cluster": cluster.pk, "chain": chain.pk, "region": "370811"}
    created = send(client, "post", "/api/v1/checklists", body)
    assert created.status_code == 201 and created.json()["completeness"] == "0" and len(created.json()["items"]) == 9
    assert created.json()["chain_id"] == chain.pk and created.json()["chief"] == "测试链长"
    sheet = created.json()["id"]
    bad = send(client, "put", f"/api/v1/checklists/{sheet}/items/1", {"done": True})
    assert bad.status_code == 400 and "须填写佐证材料" in bad.json()["detail"]
    ok = send(client, "put", f"/api/v1/checklists/{sheet}/items/1", {"done": True, "evidence": "任命文件"})
    assert ok.status_code == 200 and ok.json()["items"][0]["done"]
    again = send(client, "post", "/api/v1/checklists", body)
    assert again.status_code == 400 and ChainChecklist.objects.filter(chain_record=chain).count() == 1
    unknown = send(client, "post", "/api/v1/checklists", {**body, "chain": 987654321})
    assert unknown.status_code == 400 and "987654321" in unknown.json()["detail"]
    elsewhere = send(client, "post", "/api/v1/checklists", {**body, "region": "370102"})
    assert elsewhere.status_code == 403
