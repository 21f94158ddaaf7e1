"""Two sessions at once: a stale score form or API call is refused naming who saved when, a score keeps at
most two decimals, and a call moved twice says it was already moved."""

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.conftest import client_for, token_client
from jiqun.core.stale import StaleEdit
from jiqun.recognition.models import Assignment, Call
from jiqun.recognition.services import assignment_create, call_close, scores_submit
from jiqun.recognition.tests.conftest import TEXTS, scores

pytestmark = pytest.mark.django_db


def score_form(value: str, version: int) -> dict:
    return {f"score_{code}": value for code in TEXTS} | {f"comment_{code}": "" for code in TEXTS} | {
        "version": version}


def score_body(value, version: int | None) -> dict:
    return {code: {"score": value} for code in TEXTS} | ({} if version is None else {"version": version})


@pytest.fixture
def zhuanjia(db) -> User:
    return User.objects.get(username="zhuanjia")


@pytest.fixture
def assignment(zhuanjia) -> Assignment:
    return Assignment.objects.filter(expert__user=zhuanjia).order_by("pk").first()


def saved_events(assignment: Assignment) -> int:
    return AuditEvent.objects.exclude(action="denied").filter(object_type="recognition.assignment",
                                                              object_id=str(assignment.pk)).count()


def test_the_page_carries_the_version_and_refuses_a_stale_save_keeping_the_typed_values(zhuanjia, assignment) -> None:
    url = f"/recognition/assignments/{assignment.pk}/"
    session_a, session_b = client_for(zhuanjia), client_for(zhuanjia)
    loaded = assignment.version
    assert f'name="version" value="{loaded}"' in session_b.get(url).content.decode()
    assert session_a.post(url, score_form("70", loaded)).status_code == 302
    events = saved_events(assignment)

    response = session_b.post(url, score_form("95", loaded))  # loaded before A saved

    assert response.status_code == 200
    page = response.content.decode()
    assert "该评分已于" in page and "由 zhuanjia 修改" in page and "您的修改未保存" in page
    assert 'value="95"' in page  # the typed values stay on the form
    assignment.refresh_from_db()
    assert assignment.version == loaded + 1 and str(assignment.total) == "70.00"
    assert saved_events(assignment) == events


def test_a_page_post_without_the_version_is_refused(zhuanjia, assignment) -> None:
    form = score_form("70", assignment.version)
    del form["version"]
    response = client_for(zhuanjia).post(f"/recognition/assignments/{assignment.pk}/", form)
    assert response.status_code == 200
    assert "修改评分须带上所依据的版本号" in response.content.decode()
    assert Assignment.objects.get(pk=assignment.pk).version == assignment.version


def test_the_api_answers_412_to_a_stale_save_and_shows_the_version(zhuanjia, assignment) -> None:
    api = token_client(zhuanjia)
    url = f"/api/v1/recognition/assignments/{assignment.pk}/scores"
    listed = {a["id"]: a for a in api.get("/api/v1/recognition/assignments").json()}
    loaded = listed[assignment.pk]["version"]
    assert loaded == assignment.version

    first = api.post(url, data=json.dumps(score_body(70, loaded)), content_type="application/json")
    assert first.status_code == 200 and first.json()["version"] == loaded + 1
    stale = api.post(url, data=json.dumps(score_body(95, loaded)), content_type="application/json")

    assert stale.status_code == 412
    assert "该评分已于" in stale.json()["detail"] and "由 zhuanjia 修改" in stale.json()["detail"]
    assignment.refresh_from_db()
    assert str(assignment.total) == "70.00" and assignment.version == loaded + 1
    again = api.post(url, data=json.dumps(score_body(95, loaded + 1)), content_type="application/json")
    assert again.status_code == 200 and again.json()["total"] == "95.00"


def test_the_api_requires_the_version(zhuanjia, assignment) -> None:
    response = token_client(zhuanjia).post(f"/api/v1/recognition/assignments/{assignment.pk}/scores",
                                           data=json.dumps(score_body(70, None)), content_type="application/json")
    assert response.status_code == 400
    assert "修改评分须带上所依据的版本号" in response.json()["detail"]
    assert Assignment.objects.get(pk=assignment.pk).version == assignment.version


def test_the_api_refuses_more_than_two_decimals_naming_the_aspect(zhuanjia, assignment) -> None:
    api = token_client(zhuanjia)
    url = f"/api/v1/recognition/assignments/{assignment.pk}/scores"
    body = score_body(80, assignment.version) | {"goals": {"score": 80.123456789}}
    events = saved_events(assignment)

    response = api.post(url, data=json.dumps(body), content_type="application/json")

    assert response.status_code == 400
    assert "“提升目标”的评分最多保留两位小数，收到 80.123456789" in response.json()["detail"]
    assert Assignment.objects.get(pk=assignment.pk).version == assignment.version
    assert saved_events(assignment) == events
    body["goals"] = {"score": 80.12}
    assert api.post(url, data=json.dumps(body), content_type="application/json").status_code == 200
    assert Assignment.objects.get(pk=assignment.pk).scores["goals"]["score"] == "80.12"


def test_the_service_refuses_a_stale_save_naming_when_and_by_whom(sheng, call, applications, experts) -> None:
    call_close(actor=sheng, call=call)
    expert = experts[0]
    mine = assignment_create(actor=sheng, application=applications["高端铝业"], expert=expert)
    other_session = Assignment.objects.get(pk=mine.pk)
    scores_submit(actor=expert.user, assignment=mine, base_version=1, scores=scores(70))
    # The fields come in the audit entry's key order, which PostgreSQL's jsonb does not keep.
    with pytest.raises(StaleEdit, match=r"该评分已于 \d{4}-\d\d-\d\d \d\d:\d\d 由 expert0 修改"
                                        r"（(评分、加权得分|加权得分、评分)），请刷新后重新填写"):
        scores_submit(actor=expert.user, assignment=other_session, base_version=other_session.version,
                      scores=scores(95))
    assert Assignment.objects.get(pk=mine.pk).total == Decimal("70.00")


def test_a_call_moved_twice_at_once_says_it_was_already_moved(sheng, call, applications, experts) -> None:
    with pytest.raises(ValidationError, match=r"已于 [\d: -]+ 由 sheng 变为“申报中”，不能分配专家，请刷新页面"):
        assignment_create(actor=sheng, application=applications["高端铝业"], expert=experts[0])
    other_tab = Call.objects.get(pk=call.pk)
    call_close(actor=sheng, call=call)
    with pytest.raises(ValidationError, match=r"批次“测试批次”已于 [\d: -]+ 由 sheng 变为“评审中”，请刷新页面") as refused:
        call_close(actor=sheng, call=other_tab)
    assert "不能从" not in refused.value.messages[0]
