"""The monitoring endpoints of /api/v1/: scope, values, every transition, corrections, and refusals."""

import json

import pytest
from django.test import Client

from jiqun.accounts.models import User
from jiqun.conftest import token_client
from jiqun.monitoring.models import CorrectionRequest, Report, ReportEvent
from jiqun.monitoring.tests.helpers import GOOD, history_of, period_figures, provenance_of, stored

pytestmark = pytest.mark.django_db




def put(client: Client, url: str, body) -> object:
    """PUT values based on the report's revision as it stands (If-Match), as a client that has just read it."""
    report = Report.objects.filter(pk=int(url.split("/")[4])).first()
    return client.put(url, data=json.dumps(body), content_type="application/json",
                      headers={"If-Match": f'"{report.revision if report else 0}"'})


def rencheng_client() -> Client:
    """The county officer who fills 任城测试集群's report, so the city (jining) may approve it."""
    return token_client(User.objects.get(username="rencheng"))


def post(client: Client, url: str, body) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")







GOOD_BODY = {code: {"current": current, "previous": previous} for code, (current, previous) in GOOD.items()}


def test_reports_are_listed_within_scope(period, api_jining, api_jinan):
    jining = {r["subject"] for r in api_jining.get(f"/api/v1/reports?period={period.pk}").json()["items"]}
    jinan = {r["subject"] for r in api_jinan.get(f"/api/v1/reports?period={period.pk}").json()["items"]}
    assert jining == {"任城测试集群"} and jinan == {"历下测试集群"}


def test_a_report_outside_scope_is_404_for_reading_writing_and_moving(rencheng, api_jinan):
    assert api_jinan.get(f"/api/v1/reports/{rencheng.pk}").status_code == 404
    assert put(api_jinan, f"/api/v1/reports/{rencheng.pk}/values", GOOD_BODY).status_code == 404
    assert post(api_jinan, f"/api/v1/reports/{rencheng.pk}/transitions", {"action": "submit"}).status_code == 404
    assert not period_figures(rencheng.period)


def test_values_are_stored_with_api_provenance_and_derived_figures(rencheng, api_jining):
    response = put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", GOOD_BODY)
    assert response.status_code == 200, response.content
    revenue = next(v for v in response.json()["values"] if v["indicator"] == "revenue")
    assert revenue["provenance"] == "api" and float(revenue["yoy"]) == pytest.approx(0.0833, abs=0.0001)  # a ratio: 8.33%


def test_the_whole_path_through_the_api(rencheng, api_jining, api_province):
    county = rencheng_client()
    put(county, f"/api/v1/reports/{rencheng.pk}/values", GOOD_BODY)
    url = f"/api/v1/reports/{rencheng.pk}/transitions"
    assert post(county, url, {"action": "submit"}).json()["status"] == "submitted"  # the filler submits
    assert post(api_jining, url, {"action": "approve", "comment": "市里看过"}).json()["status"] == "city_approved"
    assert post(api_province, url, {"action": "approve"}).json()["status"] == "province_approved"
    assert ReportEvent.objects.filter(report=rencheng).count() == 3


def test_a_return_needs_a_reason_and_an_unknown_action_is_named(rencheng, api_jining):
    put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", GOOD_BODY)
    url = f"/api/v1/reports/{rencheng.pk}/transitions"
    post(rencheng_client(), url, {"action": "submit"})
    refused = post(api_jining, url, {"action": "return", "comment": " "})
    assert refused.status_code == 400 and "退回须填写理由" in refused.json()["detail"]
    unknown = post(api_jining, url, {"action": "publish"})
    assert unknown.status_code == 400 and "publish" in unknown.json()["detail"]
    rencheng.refresh_from_db()
    assert rencheng.status == "submitted"


def test_a_city_cannot_give_the_province_approval(rencheng, api_jining):
    put(rencheng_client(), f"/api/v1/reports/{rencheng.pk}/values", GOOD_BODY)
    url = f"/api/v1/reports/{rencheng.pk}/transitions"
    post(rencheng_client(), url, {"action": "submit"})
    post(api_jining, url, {"action": "approve"})
    response = post(api_jining, url, {"action": "approve"})
    assert response.status_code == 403 and "省级审核通过" in response.json()["detail"]
    assert post(api_jining, url, {"action": "return", "comment": "再看看"}).status_code == 403


def test_bad_values_are_refused_and_change_nothing(rencheng, api_jining):
    body = {**GOOD_BODY, "revenue": {"current": "五百亿", "previous": "1"}}
    response = put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", body)
    assert response.status_code == 422 and "revenue" in response.json()["detail"]
    unknown = put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", {"nope": {"current": "1"}})
    assert unknown.status_code == 400 and "nope" in unknown.json()["detail"]
    assert not period_figures(rencheng.period)


def _locked(report, api_jining, api_province):
    put(rencheng_client(), f"/api/v1/reports/{report.pk}/values", GOOD_BODY)
    url = f"/api/v1/reports/{report.pk}/transitions"
    post(rencheng_client(), url, {"action": "submit"})
    post(api_jining, url, {"action": "approve"})
    post(api_province, url, {"action": "approve"})


def test_a_locked_report_is_corrected_only_when_the_province_approves(rencheng, api_jining, api_province):
    _locked(rencheng, api_jining, api_province)
    assert put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", GOOD_BODY).status_code in (400, 403)
    created = post(api_jining, f"/api/v1/reports/{rencheng.pk}/corrections",
                   {"changes": {"revenue": {"current": "5300000"}}, "reason": "漏报一家企业"})
    assert created.status_code == 201, created.content
    correction = created.json()["id"]
    assert stored(rencheng, "revenue").current == 5200000
    denied = post(api_jining, f"/api/v1/corrections/{correction}/decision", {"approve": True})
    assert denied.status_code == 403
    decided = post(api_province, f"/api/v1/corrections/{correction}/decision", {"approve": True, "comment": "同意"})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    assert stored(rencheng, "revenue").current == 5300000 and provenance_of(rencheng, "revenue") == "correction"
    assert history_of(rencheng, "revenue") == [5200000, 5300000]
    listed = api_jining.get(f"/api/v1/reports/{rencheng.pk}/corrections").json()
    assert [c["status"] for c in listed] == ["approved"]


def test_a_correction_of_an_unlocked_report_or_with_nothing_to_change_is_refused(rencheng, api_jining, api_province):
    draft = post(api_jining, f"/api/v1/reports/{rencheng.pk}/corrections",
                 {"changes": {"revenue": {"current": "1"}}, "reason": "x"})
    assert draft.status_code == 400 and "锁定" in draft.json()["detail"]
    _locked(rencheng, api_jining, api_province)
    empty = post(api_jining, f"/api/v1/reports/{rencheng.pk}/corrections", {"changes": {}, "reason": "x"})
    assert empty.status_code == 400 and "没有填写" in empty.json()["detail"]
    assert not CorrectionRequest.objects.exists()


def test_status_matrix_counts_and_flags_overdue(period, api_province):
    matrix = api_province.get(f"/api/v1/periods/{period.pk}/matrix").json()
    assert matrix["counts"]["草稿"] >= 2 and len(matrix["reports"]) >= 2
    assert all(row["overdue"] for row in matrix["reports"])  # the deadline of the 2025 test period has passed


def test_a_figure_too_large_to_keep_is_refused_naming_the_indicator_and_nothing_changes(rencheng, api_jining):
    body = {**GOOD_BODY, "profit": {"current": "99999999999999999", "previous": "1"}}
    response = put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", body)
    assert response.status_code == 422 and "profit.current" in response.json()["detail"]
    assert not period_figures(rencheng.period)


def test_each_value_names_the_revision_that_set_it(rencheng, api_jining):
    put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", GOOD_BODY)
    second = put(api_jining, f"/api/v1/reports/{rencheng.pk}/values", {"revenue": {"current": "5300000"}}).json()
    revisions = {v["indicator"]: v["revision"] for v in second["values"]}
    assert revisions["revenue"] == 2 and revisions["profit"] == 1
