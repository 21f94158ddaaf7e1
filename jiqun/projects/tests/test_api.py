"""/api/v1/projects: the pages' scoping, 400s that name the field, 412 on a stale version, stage moves and
constraints."""

import datetime
import json

import pytest

from jiqun.accounts.models import User
from jiqun.conftest import token_client
from jiqun.projects.models import Constraint, Project, Stage

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()  # read once at import: a "future" day in these tests is two days on, so a run across midnight holds
QIZHOU = "370828-2023-0001"


def _send(client, method: str, url: str, body: dict):
    return client.generic(method, url, data=json.dumps(body), content_type="application/json")


def _new(**extra) -> dict:
    body = {"name": "接口登记的项目", "region": "370811", "investor_name": "某外地企业", "total_investment": "8000.5",
            "kind": "renovation", "stage_reached_on": str(TODAY)}
    body.update(extra)
    return body


def test_the_list_is_scoped_and_filtered():
    rencheng = token_client(User.objects.get(username="rencheng"))
    codes = {p["code"] for p in rencheng.get("/api/v1/projects").json()["items"]}
    assert codes == set(Project.objects.filter(region__code="370811").values_list("code", flat=True))
    jining = token_client(User.objects.get(username="jining"))
    started = jining.get("/api/v1/projects", {"stage": "started", "region": "370828"}).json()["items"]
    assert [p["code"] for p in started] == [QIZHOU]


@pytest.mark.parametrize(("query", "field"), [
    ({"region": "99"}, "region"), ({"stage": "begun"}, "stage"), ({"kind": "x"}, "kind"),
    ({"major_level": "national"}, "major_level"),
])
def test_a_bad_filter_is_a_400_naming_it(api_jining, query, field):
    response = api_jining.get("/api/v1/projects", query)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_another_citys_project_is_not_found(api_jinan):
    project = Project.objects.get(code=QIZHOU)
    assert api_jinan.get(f"/api/v1/projects/{project.pk}").status_code == 404
    response = _send(api_jinan, "POST", f"/api/v1/projects/{project.pk}/stage", {
        "to_stage": "completed", "reached_on": str(TODAY), "version": project.version})
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).stage == Stage.STARTED


def test_the_detail_has_the_timeline_events_and_year_plans(api_jining):
    project = Project.objects.get(code=QIZHOU)
    data = api_jining.get(f"/api/v1/projects/{project.pk}").json()
    timeline = {row["stage"]: row for row in data["timeline"]}
    assert timeline["started"]["reached"] == "2024-05-20" and timeline["completed"]["late"] is True
    assert [e["to_stage"] for e in data["events"]] == ["planning", "reserve", "started"]
    assert {p["year"] for p in data["year_plans"]} == {2025, 2026}


def test_a_project_is_created_and_a_bad_one_is_a_400_naming_the_field(api_jining):
    response = _send(api_jining, "POST", "/api/v1/projects", _new())
    assert response.status_code == 201, response.content
    assert response.json()["stage"] == "planning" and response.json()["code"].startswith("370811-")
    count = Project.objects.count()
    for body, field in [
        (_new(region="370100"), "region"),  # Jinan: outside the Jining officer's scope
        (_new(investor_name=""), "investor_name"),
        (_new(is_major=True), "major_level"),
        (_new(kind="mega"), "kind"),
        (_new(zone=Project.objects.get(code=QIZHOU).zone_id), "zone"),  # 金乡's park for a 任城 project
        (_new(clusters=[999999]), "clusters"),
    ]:
        refused = _send(api_jining, "POST", "/api/v1/projects", body)
        assert refused.status_code == 400, (field, refused.content)
        assert field in refused.json()["errors"], refused.json()
    malformed = _send(api_jining, "POST", "/api/v1/projects", _new(signed_on="2025-02-30", total_investment=-1))
    assert malformed.status_code == 422
    assert {"payload.signed_on", "payload.total_investment"} <= set(malformed.json()["errors"])
    assert Project.objects.count() == count


def test_a_patch_needs_the_version_and_a_stale_one_is_a_412_saying_who_changed_what(api_jining, jining_officer):
    project = Project.objects.get(code=QIZHOU)
    missing = _send(api_jining, "PATCH", f"/api/v1/projects/{project.pk}", {"leader": "甲"})
    assert missing.status_code == 400
    fresh = _send(api_jining, "PATCH", f"/api/v1/projects/{project.pk}", {"leader": "甲", "version": project.version})
    assert fresh.status_code == 200 and fresh.json()["version"] == project.version + 1
    stale = _send(api_jining, "PATCH", f"/api/v1/projects/{project.pk}", {"leader": "乙", "version": project.version})
    assert stale.status_code == 412
    assert "jining" in stale.json()["detail"] and "包保领导" in stale.json()["detail"]
    assert Project.objects.get(pk=project.pk).leader == "甲"


def test_a_reader_may_not_patch(api_province):
    leader = token_client(User.objects.get(username="lingdao"))
    project = Project.objects.get(code=QIZHOU)
    response = _send(leader, "PATCH", f"/api/v1/projects/{project.pk}", {"leader": "丙", "version": project.version})
    assert response.status_code == 403


def test_a_stage_moves_one_step_and_a_jump_is_a_400(api_jining):
    project = Project.objects.get(code=QIZHOU)
    url = f"/api/v1/projects/{project.pk}/stage"
    jump = _send(api_jining, "POST", url, {"to_stage": "producing", "reached_on": str(TODAY), "version": project.version})
    assert jump.status_code == 400 and "to_stage" in jump.json()["errors"]
    moved = _send(api_jining, "POST", url, {"to_stage": "completed", "reached_on": str(TODAY), "evidence": "竣工验收",
                                            "version": project.version})
    assert moved.status_code == 200 and moved.json()["stage"] == "completed"
    stale = _send(api_jining, "POST", url, {"to_stage": "producing", "reached_on": str(TODAY),
                                            "version": project.version})
    assert stale.status_code == 412


def test_constraints_are_listed_raised_and_closed(api_jining):
    project = Project.objects.get(code=QIZHOU)
    url = f"/api/v1/projects/{project.pk}/constraints"
    bad = _send(api_jining, "POST", url, {"kind": "weather", "description": "", "responsible_unit": "某局",
                                          "deadline": "2027-01-01"})
    assert bad.status_code == 400 and {"kind", "description"} <= set(bad.json()["errors"])
    raised = _send(api_jining, "POST", url, {"kind": "funding", "description": "银行贷款未到位",
                                             "responsible_unit": "市金融局", "deadline": "2027-01-01"})
    assert raised.status_code == 201
    constraint = raised.json()
    assert constraint["id"] in [c["id"] for c in api_jining.get(url).json()]
    close = f"/api/v1/projects/constraints/{constraint['id']}/close"
    no_version = _send(api_jining, "POST", close, {"status": "resolved", "decision": "协调授信"})
    assert no_version.status_code == 400
    closed = _send(api_jining, "POST", close, {"status": "resolved", "decision": "协调授信", "decided_by": "调度会",
                                               "version": constraint["version"]})
    assert closed.status_code == 200 and closed.json()["status"] == "resolved"
    stale = _send(api_jining, "POST", close, {"status": "closed", "decision": "再次", "version": constraint["version"]})
    assert stale.status_code == 412
    assert Constraint.objects.get(pk=constraint["id"]).decision == "协调授信"
    opened = api_jining.get("/api/v1/projects/constraints", {"status": "open"}).json()["items"]
    assert constraint["id"] not in [c["id"] for c in opened] and opened


def test_the_overdue_list_is_scoped(api_jining, api_jinan):
    data = api_jining.get("/api/v1/projects/overdue").json()
    late = {(s["code"], s["stage"]) for s in data["stages"]}
    assert (QIZHOU, "completed") in late and ("370883-2022-0001", "producing") in late
    assert not any(code.startswith("3701") for code, _stage in late)
    assert [c["responsible_unit"] for c in data["constraints"]] == ["市自然资源和规划局"]
    jinan = api_jinan.get("/api/v1/projects/overdue").json()
    assert {s["code"] for s in jinan["stages"]} == {"370100-2025-0001"}
