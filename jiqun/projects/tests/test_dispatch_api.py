"""The dispatch API: the same scoping, checks and approval chain as the page, with If-Match versions."""

import json

import pytest

from jiqun.conftest import token_client
from jiqun.monitoring.models import ReportStatus
from jiqun.projects.tests.dispatch_helpers import TODAY, dispatch_of, make_project, open_period, user

pytestmark = pytest.mark.django_db

BODY = {"completed_ytd": "30000", "progress": "主体结构封顶", "stage_to": "reserve", "stage_on": TODAY.isoformat(),
        "stage_evidence": "", "new_constraints": [{"kind": "energy", "description": "煤耗指标缺口",
                                                    "responsible_unit": "济宁市发展改革委", "deadline": "2027-06-30"}]}


def _put(client, dispatch_id: int, body: dict, version: str | None):
    headers = {"HTTP_IF_MATCH": version} if version is not None else {}
    return client.put(f"/api/v1/dispatches/{dispatch_id}", data=json.dumps(body), content_type="application/json",
                      **headers)


def test_a_dispatch_is_filed_and_approved_through_the_api_with_versions():
    project = make_project()
    period = open_period(2)
    dispatch = dispatch_of(project, period)
    county = token_client(user("rencheng"))
    assert _put(county, dispatch.pk, BODY, None).status_code == 428
    over = _put(county, dispatch.pk, {**BODY, "completed_ytd": "300000.01"}, '"1"')
    assert over.status_code == 400 and f"（{project.code}）“本年累计完成投资（万元）”" in over.json()["detail"]
    saved = _put(county, dispatch.pk, BODY, '"1"')
    assert saved.status_code == 200 and saved.json()["version"] == 2
    assert _put(county, dispatch.pk, {**BODY, "progress": "x"}, '"1"').status_code == 412
    assert county.post(f"/api/v1/dispatches/{dispatch.pk}/transitions", data={"action": "submit"},
                       content_type="application/json").json()["status"] == ReportStatus.SUBMITTED
    city = token_client(user("jining"))
    assert city.post(f"/api/v1/dispatches/{dispatch.pk}/transitions", data={"action": "approve"},
                     content_type="application/json").json()["status"] == ReportStatus.CITY_APPROVED
    pace = city.get(f"/api/v1/periods/{period.pk}/dispatch-progress").json()
    row = next(r for r in pace["projects"] if r["project"] == project.code)
    assert row["rate"] == "37.5" and row["elapsed"] == "50.0" and row["status"] == "behind"  # 30000 of 80000 at 1-6月
    assert token_client(user("jinan")).get(f"/api/v1/dispatches/{dispatch.pk}").status_code == 404
    listed = token_client(user("rencheng")).get(f"/api/v1/dispatches?period={period.pk}").json()
    codes = [d["project_code"] for d in listed["items"]]  # the county's own: this project and the demo's
    assert project.code in codes and not any("济南" in d["project_name"] for d in listed["items"])
