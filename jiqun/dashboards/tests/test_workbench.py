"""The workbench (工作台): per persona, what waits for it, from the database and within its scope; bulk approval of
clean reports (the page and the API); the home page's query count does not grow with the reports."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiqun.accounts.scoping import report_fill_q
from jiqun.conftest import client_for, token_client
from jiqun.dashboards.tests.wb_helpers import (
    open_period,
    reports_in,
    submitted,
    user,
    with_unexplained_warning,
)
from jiqun.dashboards.workbench import workbench_items
from jiqun.monitoring.bulk import reports_approve_bulk
from jiqun.monitoring.models import Report, ReportEvent, ReportStatus
from jiqun.monitoring.permissions import can_fill_report
from jiqun.monitoring.services import (
    correction_request_create,
    report_approve_city,
    report_approve_province,
    report_return,
    report_values_save,
)
from jiqun.projects.models import Constraint
from jiqun.projects.services import constraint_raise
from jiqun.projects.tests.fixtures import make_project
from jiqun.recognition.models import Assignment, CallStatus

pytestmark = pytest.mark.django_db
S = ReportStatus


def groups_of(name: str) -> dict:
    return {g.key: g for g in workbench_items(user(name), timezone.localdate())}


def urls(group) -> set[str]:
    return {row.url for row in group.rows} if group else set()


def report_url(report) -> str:
    return f"/monitoring/reports/{report.pk}/"


def test_a_returned_report_waits_for_its_filler_with_the_reason():
    period = open_period(jining=1, jinan=0)
    report = submitted(reports_in(period, "任城")[0], user("rencheng"))
    report_return(actor=user("jining"), report=report, reason="利润与上季度口径不一致")
    row = next(r for r in groups_of("rencheng")["returned"].rows if r.url == report_url(report))
    assert "利润与上季度口径不一致" in row.reason and "jining" in row.reason
    page = client_for(user("rencheng")).get("/").content.decode()
    assert "被退回的报表" in page and "利润与上季度口径不一致" in page
    assert report_url(report) not in urls(groups_of("jinan").get("returned"))  # outside Jinan's scope


def test_a_submitted_report_waits_for_its_city_and_not_for_another():
    period = open_period(jining=1, jinan=1)
    jining_report = submitted(reports_in(period, "任城")[0], user("rencheng"))
    jinan_report = submitted(reports_in(period, "历下")[0], user("sheng"))
    assert report_url(jining_report) in urls(groups_of("jining")["approve"])
    waiting_for_jinan = groups_of("jinan")["approve"]
    assert report_url(jinan_report) in urls(waiting_for_jinan)
    assert report_url(jining_report) not in urls(waiting_for_jinan)
    assert "approve" not in groups_of("lingdao") and "approve" not in groups_of("rencheng")  # no approvers


def test_a_pending_correction_waits_for_the_province():
    period = open_period(jining=1, jinan=0)
    report = submitted(reports_in(period, "任城")[0], user("rencheng"))
    report_approve_city(actor=user("jining"), report=report)
    report_approve_province(actor=user("sheng"), report=report)
    report.refresh_from_db()
    correction_request_create(actor=user("rencheng"), report=report, changes={"profit": {"current": "300000"}},
                              reason="利润更正为审计数")
    group = groups_of("sheng")["corrections"]
    assert report_url(report) in urls(group)
    assert any("利润更正为审计数" in row.reason for row in group.rows)
    assert "corrections" not in groups_of("jining")


def test_an_expert_sees_its_assignments_to_score_and_nothing_else():
    expert = user("zhuanjia")
    waiting = Assignment.objects.for_user(expert).filter(submitted_at__isnull=True,
                                                         application__call__status=CallStatus.REVIEW)
    groups = groups_of("zhuanjia")
    assert groups["assignments"].count == waiting.count() > 0
    assert urls(groups["assignments"]) <= {f"/recognition/assignments/{a.pk}/" for a in waiting}
    assert set(groups) <= {"assignments", "ahp"}


def test_an_overdue_constraint_waits_in_its_region_only():
    today = timezone.localdate()
    project = make_project(name="工作台测试项目", yi="2", region="370811")
    constraint = constraint_raise(actor=user("jining"), project=project, kind="land", description="用地指标未落实",
                                  responsible_unit="市自然资源和规划局", deadline=today + datetime.timedelta(days=5))
    Constraint.objects.filter(pk=constraint.pk).update(deadline=today - datetime.timedelta(days=4))  # time passed
    assert f"/projects/{project.pk}/" in urls(groups_of("jining")["constraints"])
    assert f"/projects/{project.pk}/" not in urls(groups_of("jinan").get("constraints"))


def test_the_fill_filter_agrees_with_the_fill_permission():
    period = open_period(jining=1, jinan=1)
    reports = list(Report.objects.filter(period=period).select_related("cluster", "enterprise"))
    for name in ("sheng", "jining", "jinan", "rencheng", "jiqun_org", "qiye", "lingdao"):
        person = user(name)
        kept = set(Report.objects.filter(period=period).filter(report_fill_q(person)).values_list("pk", flat=True))
        assert kept == {r.pk for r in reports if can_fill_report(person, r)}, name


def test_the_admins_get_their_tools_and_no_business_data():
    page = client_for(user("shenji")).get("/").content.decode()
    assert "审计日志" in page and "可见集群" not in page
    assert workbench_items(user("xitong"), timezone.localdate()) == []


# --- bulk approval ----------------------------------------------------------------------------------------

@pytest.fixture
def waiting():
    """Four reports submitted in Jining (two clean, filled by the county; one then changed with an unexplained
    warning; one filled by the city officer itself) and one in Jinan."""
    period = open_period(jining=4, jinan=1)
    clean, clean2, warned, own = (submitted(r, user("rencheng" if i < 3 else "jining"))
                                  for i, r in enumerate(reports_in(period, "任城")))
    with_unexplained_warning(warned)
    outside = submitted(reports_in(period, "历下")[0], user("sheng"))
    return {"clean": clean, "clean2": clean2, "warned": warned, "own": own, "outside": outside}


def state(report) -> tuple:
    report.refresh_from_db()
    return report.status, ReportEvent.objects.filter(report=report).count()


def test_bulk_approval_approves_the_clean_and_refuses_the_others_changing_nothing_of_them(waiting):
    refused_before = {k: state(waiting[k]) for k in ("warned", "own", "outside")}
    result = reports_approve_bulk(actor=user("jining"), reports=[r.pk for r in waiting.values()], comment="批量")
    assert [line.report_id for line in result.approved] == [waiting["clean"].pk, waiting["clean2"].pk]
    assert state(waiting["clean"])[0] == S.CITY_APPROVED
    reasons = {line.report_id: line.reason for line in result.refused}
    assert "核实性" in reasons[waiting["warned"].pk] and "同比增长 90.0%" in reasons[waiting["warned"].pk]
    assert "您填报过该报表" in reasons[waiting["own"].pk]
    assert reasons[waiting["outside"].pk] == "不存在或无权访问"
    assert {k: state(waiting[k]) for k in refused_before} == refused_before


def test_bulk_approval_refuses_a_report_no_longer_waiting(waiting):
    report_approve_city(actor=user("jining"), report=waiting["clean"])
    result = reports_approve_bulk(actor=user("jining"), reports=[waiting["clean"]])
    assert not result.approved and "不在待您审核的状态" in result.refused[0].reason


def test_the_workbench_offers_only_clean_reports_for_bulk_approval(waiting):
    page = client_for(user("jining")).get("/").content.decode()
    assert f'name="reports" value="{waiting["clean"].pk}"' in page
    assert f'value="{waiting["warned"].pk}"' not in page and f'value="{waiting["own"].pk}"' not in page
    assert "您填报过该报表，须由他人审核" in page and "总览" in page


def test_the_bulk_page_approves_and_shows_the_result(waiting):
    client = client_for(user("jining"))
    response = client.post("/dashboards/workbench/approve/",
                           {"reports": [waiting["clean"].pk, waiting["warned"].pk, waiting["outside"].pk]})
    page = response.content.decode()
    assert response.status_code == 200 and "已审核通过 1 份报表" in page and "2 份报表未审核" in page
    assert "不存在或无权访问" in page and state(waiting["clean"])[0] == S.CITY_APPROVED


def test_the_bulk_page_refuses_bad_input_and_changes_nothing(waiting):
    client = client_for(user("jining"))
    before = state(waiting["clean"])
    empty = client.post("/dashboards/workbench/approve/", {})
    assert empty.status_code == 400 and "请至少选择一份报表" in empty.content.decode()
    bad = client.post("/dashboards/workbench/approve/", {"reports": [waiting["clean"].pk, "abc"]})
    assert bad.status_code == 400 and "所选报表编号无效：abc" in bad.content.decode()
    assert state(waiting["clean"]) == before
    assert client_for(user("lingdao")).post("/dashboards/workbench/approve/",
                                            {"reports": [waiting["clean"].pk]}).status_code == 403


def test_the_api_approves_in_bulk_answering_per_report(waiting):
    api = token_client(user("jining"))
    response = api.post("/api/v1/reports/approve-bulk", {"reports": [waiting["clean"].pk, waiting["outside"].pk]},
                        content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["approved"] == 1 and body["refused"] == 1
    assert {(r["report"], r["approved"]) for r in body["results"]} == {(waiting["clean"].pk, True),
                                                                        (waiting["outside"].pk, False)}
    empty = api.post("/api/v1/reports/approve-bulk", {"reports": []}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["errors"]["reports"] == ["请至少选择一份报表"]
    assert api.post("/api/v1/reports/approve-bulk", {"reports": ["x"]},
                    content_type="application/json").status_code == 422
    reader = token_client(user("lingdao")).post("/api/v1/reports/approve-bulk", {"reports": [waiting["clean"].pk]},
                                                content_type="application/json")
    assert reader.status_code == 403


def test_the_home_page_query_count_does_not_grow_with_the_reports(monkeypatch):
    monkeypatch.setattr("jiqun.dashboards.workbench.APPROVAL_ROWS", 2)  # the bulk form lists two: past it, no more
    period = open_period(jining=5, jinan=0)
    reports = reports_in(period, "任城")
    for report in reports[:3]:
        submitted(report, user("rencheng"))
    client = client_for(user("jining"))
    client.get("/")  # the session and its caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured.captured_queries)

    first = queries()
    for report in reports[3:]:
        submitted(report, user("rencheng"))
    assert queries() <= first <= 60  # (one fewer once no draft is left to list)


def test_a_stale_bulk_page_approves_nothing_changed_since_it_was_read(waiting):
    client = client_for(user("jining"))
    page = client.get("/dashboards/workbench/approve/").content.decode()
    clean = waiting["clean"]
    assert f'name="seen_{clean.pk}" value="{clean.revision}"' in page
    seen = clean.revision
    report_values_save(actor=user("rencheng"), report=clean, check_permission=False,
                       values={"revenue": {"current": "5100000", "previous": "4800000"}})  # changed after the read
    before = state(clean)
    response = client.post("/dashboards/workbench/approve/", {"reports": [clean.pk], f"seen_{clean.pk}": seen})
    assert "报表在您查看后已修改" in response.content.decode() and state(clean) == before
    api = token_client(user("jining")).post("/api/v1/reports/approve-bulk",
                                            {"reports": [clean.pk], "revisions": {str(clean.pk): seen}},
                                            content_type="application/json")
    assert api.json()["approved"] == 0 and "报表在您查看后已修改" in api.json()["results"][0]["reason"]
    assert state(clean) == before


def test_the_bulk_page_shows_each_explained_warning_with_its_explanation(waiting):
    warned = waiting["warned"]
    report_values_save(actor=user("rencheng"), report=warned, check_permission=False,
                       values={"revenue": {"current": "9120000", "previous": "4800000", "note": "新增龙头企业投产"}})
    page = client_for(user("jining")).get("/dashboards/workbench/approve/").content.decode()
    assert "同比增长 90.0%" in page and "说明：新增龙头企业投产" in page and "1 项核实性问题均已说明" in page


def test_a_cross_city_clusters_report_is_approved_by_the_province_not_by_one_city(waiting):
    from jiqun.regions.models import Region

    report = waiting["clean"]
    report.cluster.regions.add(Region.objects.get(code="370102"))  # the cluster now lies in Jining and Jinan too
    for city in ("jining", "jinan"):
        result = reports_approve_bulk(actor=user(city), reports=[report.pk])
        assert not result.approved, city
    page = client_for(user("jining")).get("/dashboards/workbench/approve/").content.decode()
    assert f'name="reports" value="{report.pk}"' not in page and "跨市集群的报表由省级代市级审核" in page
    assert state(report)[0] == S.SUBMITTED


@pytest.mark.parametrize("posted", ["9" * 5000, "１２", "-3", "0"])
def test_bulk_approval_refuses_numbers_it_cannot_read_with_a_message(waiting, posted):
    before = state(waiting["clean"])
    response = client_for(user("jining")).post("/dashboards/workbench/approve/",
                                               {"reports": [waiting["clean"].pk, posted]})
    assert response.status_code == 400 and "所选报表编号无效" in response.content.decode()
    assert state(waiting["clean"]) == before


def test_the_api_takes_report_ids_as_numbers_only(waiting):
    api = token_client(user("jining"))
    for reports in ([True], ["5"], [1.0]):
        response = api.post("/api/v1/reports/approve-bulk", {"reports": reports}, content_type="application/json")
        assert response.status_code == 422, reports
    assert state(waiting["clean"])[0] == S.SUBMITTED
