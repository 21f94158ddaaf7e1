"""The pages and the API of a round, as each persona sees them (the demo round is in 评审中)."""

import json

import pytest

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for, token_client
from jiqun.recognition.demo import TITLE
from jiqun.recognition.models import Application, Assignment, Call, Expert
from jiqun.recognition.tests.conftest import TEXTS

pytestmark = pytest.mark.django_db

SCORE_FORM = {f"score_{code}": "80" for code in TEXTS} | {f"comment_{code}": "" for code in TEXTS}


@pytest.fixture
def zhuanjia(db) -> User:
    return User.objects.get(username="zhuanjia")


@pytest.fixture
def demo_call(db) -> Call:
    return Call.objects.get(title=TITLE)


def others_assignment(zhuanjia) -> Assignment:
    return Assignment.objects.exclude(expert__user=zhuanjia).order_by("pk").first()


def test_the_expert_sees_its_own_assignments_only(zhuanjia, demo_call) -> None:
    client = client_for(zhuanjia)
    mine = Assignment.objects.filter(expert__user=zhuanjia)
    assert mine.count() == 3
    listed = client.get("/recognition/assignments/").content.decode()
    assert all(a.application.cluster.name in listed for a in mine)
    assert "李敏" not in listed
    assert client.get(f"/recognition/assignments/{mine.first().pk}/").status_code == 200
    assert client.get(f"/recognition/assignments/{others_assignment(zhuanjia).pk}/").status_code == 404
    api = token_client(zhuanjia)
    body = {code: {"score": 90} for code in TEXTS}
    response = api.post(f"/api/v1/recognition/assignments/{others_assignment(zhuanjia).pk}/scores",
                        data=json.dumps(body), content_type="application/json")
    assert response.status_code == 404
    assert {a["id"] for a in api.get("/api/v1/recognition/assignments").json()} == {a.pk for a in mine}


def test_the_expert_sees_only_the_applications_assigned_to_it(zhuanjia, demo_call) -> None:
    api = token_client(zhuanjia)
    detail = api.get(f"/api/v1/recognition/calls/{demo_call.pk}").json()
    assigned = set(Application.objects.filter(assignments__expert__user=zhuanjia).values_list("pk", flat=True))
    assert {a["id"] for a in detail["applications"]} == assigned
    ineligible = Application.objects.get(call=demo_call, eligible=False)
    assert api.get(f"/api/v1/recognition/applications/{ineligible.pk}").status_code == 404
    assert client_for(zhuanjia).get(f"/recognition/applications/{ineligible.pk}/").status_code == 404
    assert client_for(zhuanjia).get("/recognition/experts/").status_code == 404


def test_the_expert_scores_on_its_page(zhuanjia) -> None:
    assignment = Assignment.objects.filter(expert__user=zhuanjia).order_by("pk").first()
    client = client_for(zhuanjia)
    response = client.post(f"/recognition/assignments/{assignment.pk}/",
                           SCORE_FORM | {"score_tasks": "90", "version": assignment.version})
    assert response.status_code == 302
    assignment.refresh_from_db()
    # weights 2,1,1,2,2,1: (80×2 + 80 + 80 + 90×2 + 80×2 + 80) / 9 = 82.22
    assert str(assignment.total) == "82.22" and assignment.scores["tasks"]["score"] == "90"
    assert AuditEvent.objects.exclude(action="denied").filter(object_type="recognition.assignment",
                                                              object_id=str(assignment.pk)).exists()


def test_a_bad_score_is_refused_on_the_page_and_changes_nothing(zhuanjia) -> None:
    assignment = Assignment.objects.filter(expert__user=zhuanjia, submitted_at__isnull=True).order_by("pk").first()
    response = client_for(zhuanjia).post(f"/recognition/assignments/{assignment.pk}/",
                                         SCORE_FORM | {"score_goals": "101", "version": assignment.version})
    assert response.status_code == 200
    assert "100" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.submitted_at is None


def test_the_api_refuses_a_score_out_of_range_and_an_unknown_field(zhuanjia) -> None:
    assignment = Assignment.objects.filter(expert__user=zhuanjia).order_by("pk").first()
    api = token_client(zhuanjia)
    url = f"/api/v1/recognition/assignments/{assignment.pk}/scores"
    body = {code: {"score": 80} for code in TEXTS} | {"version": assignment.version}
    assert api.post(url, data=json.dumps(body | {"goals": {"score": 101}}),
                    content_type="application/json").status_code == 422
    assert api.post(url, data=json.dumps(body | {"bonus": 1}), content_type="application/json").status_code == 422
    assignment.refresh_from_db()
    assert assignment.submitted_at is None
    response = api.post(url, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and response.json()["total"] == "80.00"


def test_a_city_sees_the_call_but_not_the_province_clusters_applications(demo_call) -> None:
    jinan = client_for(User.objects.get(username="jinan"))
    assert TITLE in jinan.get("/recognition/").content.decode()
    application = Application.objects.filter(call=demo_call).first()
    assert jinan.get(f"/recognition/applications/{application.pk}/").status_code == 404
    assert jinan.get(f"/recognition/{demo_call.pk}/assign/").status_code == 404


def test_the_assign_page_shows_why_an_expert_stands_aside(demo_call) -> None:
    page = client_for(User.objects.get(username="sheng")).get(f"/recognition/{demo_call.pk}/assign/")
    assert "已申报与集群“高端铝业”回避" in page.content.decode()


def test_the_province_assigns_an_expert_on_the_page_and_is_refused_a_conflicted_one(demo_call) -> None:
    sheng = client_for(User.objects.get(username="sheng"))
    aluminium = Application.objects.get(call=demo_call, cluster__name="高端铝业")
    conflicted = Expert.objects.get(name="赵志强（演示）")
    response = sheng.post(f"/recognition/{demo_call.pk}/assign/",
                          {"application": aluminium.pk, "expert": conflicted.pk}, follow=True)
    assert "曾为该集群龙头企业提供技术咨询" in response.content.decode()
    assert not aluminium.assignments.filter(expert=conflicted).exists()


def test_the_province_adds_an_expert_and_a_conflict(db) -> None:
    sheng = client_for(User.objects.get(username="sheng"))
    response = sheng.post("/recognition/experts/", {
        "form": "expert", "expert-name": "新专家", "expert-field": "材料", "expert-organisation": "某大学",
        "expert-contact": "", "expert-city": "", "expert-user": ""})
    assert response.status_code == 302
    expert = Expert.objects.get(name="新专家")
    response = sheng.post("/recognition/experts/", {"form": "conflict", "conflict-expert": expert.pk,
                                                    "conflict-organisation": "", "conflict-reason": "近亲属任职"})
    assert response.status_code == 200 and "请选择回避的集群或填写回避的单位" in response.content.decode()
    assert not expert.conflicts.exists()


def test_the_province_creates_and_opens_a_call_on_the_pages(db) -> None:
    sheng = client_for(User.objects.get(username="sheng"))
    form = {"programme": "SD-2023-185", "title": "页面批次", "tier_sought": "provincial", "quota": "3",
            "deadline": "2030-06-30", "data_year": "2025", "quantitative_weight": "0.3",
            "quantitative_indicators": ["revenue"], "threshold_indicator": "revenue",
            "threshold_minimum": "15000000"} | {f"weight_{code}": "1" for code in TEXTS}
    response = sheng.post("/recognition/new/", form)
    assert response.status_code == 302
    call = Call.objects.get(title="页面批次")
    assert str(call.thresholds.get()) == "主营业务收入 ≥ 15000000 万元"
    sheng.post(f"/recognition/{call.pk}/move/", {"to": "open"})
    call.refresh_from_db()
    assert call.status == "open"
    response = sheng.post("/recognition/new/", form | {"quota": "0", "title": "坏\x01批次"})
    assert response.status_code == 200 and Call.objects.filter(title__startswith="坏").count() == 0


def test_a_cluster_organisation_applies_on_the_page_for_its_cluster_only(db) -> None:
    from datetime import date
    from decimal import Decimal

    from jiqun.recognition.services import call_create, call_open

    sheng = User.objects.get(username="sheng")
    org = User.objects.get(username="jiqun_org")
    own = org.clusters.get()
    other = own.programme.clusters.exclude(pk=own.pk).first()
    call = call_open(actor=sheng, call=call_create(
        actor=sheng, programme=own.programme, title="济宁页面批次", tier_sought="national", quota=1,
        deadline=date(2099, 1, 1), data_year=2025, quantitative_weight=Decimal(0), aspect_weights={"basis": 1}))
    client = client_for(org)
    form = client.get(f"/recognition/{call.pk}/apply/").content.decode()
    assert own.name in form and other.name not in form
    response = client.post(f"/recognition/{call.pk}/apply/", TEXTS | {"cluster": other.pk})
    assert response.status_code == 200 and not call.applications.exists()
    response = client.post(f"/recognition/{call.pk}/apply/", TEXTS | {"cluster": own.pk})
    assert response.status_code == 302
    application = call.applications.get()
    assert client.get(f"/recognition/applications/{application.pk}/").status_code == 200
    assert client_for(User.objects.get(username="zhuanjia")).get(
        f"/recognition/applications/{application.pk}/").status_code == 404


def test_the_province_publishes_records_and_answers_an_objection_on_the_pages(zhuanjia, demo_call) -> None:
    from django.utils import timezone

    from jiqun.recognition.services import scores_submit
    from jiqun.recognition.tests.conftest import scores

    for assignment in Assignment.objects.filter(application__call=demo_call, submitted_at__isnull=True):
        actor = zhuanjia if assignment.expert.user_id == zhuanjia.pk else None  # the other experts have no account
        scores_submit(actor=actor, assignment=assignment, base_version=assignment.version, scores=scores(75))
    sheng = client_for(User.objects.get(username="sheng"))
    today = timezone.localdate()
    sheng.post(f"/recognition/{demo_call.pk}/move/", {"to": "publicity", "objection_until": today.isoformat()})
    demo_call.refresh_from_db()
    assert demo_call.status == "publicity" and demo_call.objection_until == today
    results = sheng.get(f"/recognition/{demo_call.pk}/").content.decode()
    assert "评审结果（公示）" in results and "拟认定" in results
    winner = Application.objects.get(call=demo_call, rank=1)
    url = f"/recognition/applications/{winner.pk}/"
    sheng.post(url + "objections/", {"objector": "某协会", "content": "申报数据与实际不符"})
    objection = winner.objections.get()
    response = sheng.post(f"/recognition/{demo_call.pk}/move/", {"to": "done"}, follow=True)
    assert "期满后才能完成认定" in response.content.decode()
    sheng.post(url + "answer/", {"objection": objection.pk, "answer": "经核实数据无误"})
    objection.refresh_from_db()
    assert objection.answer == "经核实数据无误" and objection.answered_by == "sheng"
    page = client_for(User.objects.get(username="lingdao")).get(url).content.decode()
    assert "申报数据与实际不符" in page and "经核实数据无误" in page
    assert client_for(User.objects.get(username="lingdao")).post(url + "objections/", {
        "objector": "x", "content": "y"}).status_code == 403


def test_the_navigation_leads_the_expert_to_the_rounds_but_not_the_enterprise_reporter(zhuanjia) -> None:
    assert 'href="/recognition/"' in client_for(zhuanjia).get("/").content.decode()
    assert 'href="/recognition/"' not in client_for(User.objects.get(username="qiye")).get("/").content.decode()


def test_the_province_finalises_on_the_page_after_the_period(zhuanjia, demo_call) -> None:
    import datetime

    from django.utils import timezone

    from jiqun.clusters.models import Cluster
    from jiqun.recognition.services import call_publicise, scores_submit
    from jiqun.recognition.tests.conftest import scores

    sheng_user = User.objects.get(username="sheng")
    for assignment in Assignment.objects.filter(application__call=demo_call, submitted_at__isnull=True):
        actor = zhuanjia if assignment.expert.user_id == zhuanjia.pk else None
        scores_submit(actor=actor, assignment=assignment, base_version=assignment.version, scores=scores(70))
    call_publicise(actor=sheng_user, call=demo_call, objection_until=timezone.localdate())
    # The period is over: set its end in the past, as the calendar would.
    Call.objects.filter(pk=demo_call.pk).update(objection_until=timezone.localdate() - datetime.timedelta(days=1))
    sheng = client_for(sheng_user)
    sheng.post(f"/recognition/{demo_call.pk}/move/", {"to": "done"})
    demo_call.refresh_from_db()
    assert demo_call.status == "done"
    winners = Application.objects.filter(call=demo_call, selected=True)
    assert winners.count() == 2
    for application in winners:
        cluster = Cluster.objects.get(pk=application.cluster_id)
        assert cluster.tier == "provincial" and TITLE in cluster.tier_changes.last().basis
    assert "已完成" in sheng.get(f"/recognition/{demo_call.pk}/").content.decode()
