"""The incident register: who records and sees what, corrections with optimistic locking, withdrawal with a
reason (never deleted), and bad input through every channel (form, API, command line) changing nothing."""

import datetime
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.audit.models import AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for, token_client
from jiqun.core.stale import StaleEdit
from jiqun.enterprises.models import Enterprise
from jiqun.incidents.models import Incident, IncidentStatus
from jiqun.incidents.services import incident_create, incident_update, incident_withdraw

pytestmark = pytest.mark.django_db


def _jining() -> Cluster:
    return Cluster.objects.filter(regions__code__startswith="3708").order_by("pk").first()


def _jinan() -> Cluster:
    return Cluster.objects.filter(regions__code__startswith="3701").order_by("pk").first()


def _events():
    return AuditEvent.objects.exclude(action="denied")


def _record(actor, cluster, **overrides) -> Incident:
    values = {"kind": "safety", "severity": "major", "occurred_on": datetime.date(2025, 3, 1),
              "description": "测试：车间爆燃事故", "document": "测试〔2025〕1号"} | overrides
    return incident_create(actor=actor, cluster=cluster, **values)


def test_the_province_and_the_cluster_s_city_record_and_another_city_cannot(province_admin, jining_officer,
                                                                            jinan_officer) -> None:
    assert _record(province_admin, _jinan()).recorded_by == "sheng"
    incident = _record(jining_officer, _jining())
    assert incident.status == IncidentStatus.RECORDED and incident.recorded_organisation
    with pytest.raises(PermissionDenied):
        _record(jinan_officer, _jining())
    for name in ("rencheng", "jiqun_org", "lingdao"):
        with pytest.raises(PermissionDenied):
            _record(User.objects.get(username=name), _jining())


def test_it_hides_other_cities_and_shows_a_cluster_org_its_own(province_admin) -> None:
    own = _record(province_admin, _jining())
    other = _record(province_admin, _jinan())
    seen = {name: set(Incident.objects.for_user(User.objects.get(username=name)).values_list("pk", flat=True))
            for name in ("sheng", "jinan", "jining", "jiqun_org", "lingdao", "qiye", "zhuanjia", "shenji")}
    assert {own.pk, other.pk} <= seen["sheng"] and {own.pk, other.pk} <= seen["lingdao"]
    assert other.pk in seen["jinan"] and own.pk not in seen["jinan"]
    assert own.pk in seen["jining"] and other.pk not in seen["jining"]
    assert own.pk in seen["jiqun_org"] and other.pk not in seen["jiqun_org"]
    assert seen["qiye"] == seen["zhuanjia"] == seen["shenji"] == set()


def test_a_correction_needs_the_current_version_and_names_who_changed_what(province_admin, jining_officer) -> None:
    incident = _record(jining_officer, _jining())
    incident_update(actor=province_admin, incident=incident, base_version=1, severity="large")
    with pytest.raises(StaleEdit, match="sheng"):
        incident_update(actor=jining_officer, incident=incident, base_version=1, description="迟到的更正")
    with pytest.raises(ValidationError, match="版本号"):
        incident_update(actor=jining_officer, incident=incident, base_version=None, description="无版本")
    incident.refresh_from_db()
    assert incident.severity == "large" and incident.description == "测试：车间爆燃事故" and incident.version == 2


def test_withdrawal_needs_a_reason_keeps_the_record_and_happens_once(province_admin) -> None:
    incident = _record(province_admin, _jining())
    before = _events().count()
    with pytest.raises(ValidationError, match="理由"):
        incident_withdraw(actor=province_admin, incident=incident, reason="  ")
    assert _events().count() == before
    incident_withdraw(actor=province_admin, incident=incident, reason="经复查不属实")
    assert _events().count() == before + 1
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.WITHDRAWN and incident.withdrawn_reason == "经复查不属实"
    with pytest.raises(ValidationError, match="不能再次撤销"):
        incident_withdraw(actor=province_admin, incident=incident, reason="再撤销一次")
    with pytest.raises(ValidationError, match="已撤销"):
        incident_update(actor=province_admin, incident=incident, base_version=incident.version, severity="general")
    assert Incident.objects.filter(pk=incident.pk).exists()


def test_every_bad_value_is_named_and_nothing_is_written(province_admin) -> None:
    before = (Incident.objects.count(), _events().count())
    future = datetime.date.today() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError) as caught:
        _record(province_admin, _jining(), kind="fire", severity="huge", occurred_on=future, description="",
                document=" ")
    assert set(caught.value.message_dict) == {"kind", "severity", "occurred_on", "description", "document"}
    assert "晚于今天" in caught.value.message_dict["occurred_on"][0]
    outsider = Enterprise.objects.exclude(memberships__cluster=_jining()).order_by("pk").first()
    with pytest.raises(ValidationError, match="不是集群"):
        _record(province_admin, _jining(), enterprise=outsider)
    with pytest.raises(ValidationError, match="控制字符|不可见|字符"):
        _record(province_admin, _jining(), description="爆燃\u202e事故")
    assert (Incident.objects.count(), _events().count()) == before


# --- pages -------------------------------------------------------------------------------------------

def test_the_pages_record_correct_withdraw_and_export(as_jining) -> None:
    cluster = _jining()
    response = as_jining.post("/incidents/new/", {
        "cluster": cluster.pk, "kind": "environment", "severity": "large", "occurred_on": "2025-06-01",
        "document": "济环罚〔2025〕7号", "description": "测试：超标排放"})
    assert response.status_code == 302
    incident = Incident.objects.get(document="济环罚〔2025〕7号")
    page = as_jining.get("/incidents/", {"cluster": cluster.pk}).content.decode()
    assert "济环罚〔2025〕7号" in page and "较大" in page
    response = as_jining.post(f"/incidents/{incident.pk}/edit/", {
        "kind": "environment", "severity": "major", "occurred_on": "2025-06-01", "document": "济环罚〔2025〕7号",
        "description": "测试：超标排放（更正）", "version": 1})
    assert response.status_code == 302
    stale = as_jining.post(f"/incidents/{incident.pk}/edit/", {
        "kind": "environment", "severity": "general", "occurred_on": "2025-06-01", "document": "济环罚〔2025〕7号",
        "description": "旧页面的更正", "version": 1})
    assert stale.status_code == 200 and "已于" in stale.content.decode()
    assert as_jining.post(f"/incidents/{incident.pk}/withdraw/", {"reason": "", "version": 2}).status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RECORDED and incident.severity == "major"
    as_jining.post(f"/incidents/{incident.pk}/withdraw/", {"reason": "复议撤销处罚", "version": 2})
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.WITHDRAWN
    response = as_jining.get("/incidents/export/", {"cluster": cluster.pk})
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    assert rows[0][0] == "编号" and any(int(r[0]) == incident.pk and r[8] == "已撤销" for r in rows[1:])


def test_the_form_names_each_bad_field_and_writes_nothing(as_jining) -> None:
    before = Incident.objects.count()
    response = as_jining.post("/incidents/new/", {
        "cluster": _jining().pk, "kind": "fire", "severity": "major", "occurred_on": "2025-13-40",
        "document": "", "description": "x"})
    page = response.content.decode()
    assert response.status_code == 200 and "fire" in page and Incident.objects.count() == before
    assert page.count('class="errorlist"') >= 3


def test_a_city_cannot_open_another_city_s_incident(province_admin, as_jinan) -> None:
    incident = _record(province_admin, _jining())
    assert as_jinan.get(f"/incidents/{incident.pk}/edit/").status_code == 404
    assert as_jinan.post(f"/incidents/{incident.pk}/withdraw/", {"reason": "越权"}).status_code == 404
    assert "测试〔2025〕1号" not in as_jinan.get("/incidents/").content.decode()


def test_a_read_only_role_is_refused(province_admin) -> None:
    incident = _record(province_admin, _jining())
    leader = client_for(User.objects.get(username="lingdao"))
    assert leader.get("/incidents/new/").status_code == 302
    assert leader.post(f"/incidents/{incident.pk}/withdraw/", {"reason": "领导撤销"}).status_code == 403


# --- API ---------------------------------------------------------------------------------------------

def test_the_api_records_lists_corrects_and_withdraws(api_jining, api_jinan) -> None:
    cluster = _jining()
    response = api_jining.post("/api/v1/incidents", data=json.dumps({
        "cluster": cluster.pk, "kind": "dishonesty", "severity": "general", "occurred_on": "2025-02-02",
        "description": "测试：列入失信名单", "document": "信用〔2025〕3号"}), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind_label"] == "严重失信" and body["version"] == 1
    assert any(i["id"] == body["id"] for i in api_jining.get("/api/v1/incidents").json())
    assert api_jinan.get(f"/api/v1/incidents/{body['id']}").status_code == 404
    patched = api_jining.patch(f"/api/v1/incidents/{body['id']}", data=json.dumps({"severity": "major", "version": 1}),
                               content_type="application/json")
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = api_jining.patch(f"/api/v1/incidents/{body['id']}", data=json.dumps({"severity": "large", "version": 1}),
                             content_type="application/json")
    assert stale.status_code == 412
    unversioned = api_jining.post(f"/api/v1/incidents/{body['id']}/withdraw",
                                  data=json.dumps({"reason": "已修复信用"}), content_type="application/json")
    assert unversioned.status_code == 422 and "version" in unversioned.content.decode()
    stale_withdraw = api_jining.post(f"/api/v1/incidents/{body['id']}/withdraw",
                                     data=json.dumps({"reason": "已修复信用", "version": 1}),
                                     content_type="application/json")
    assert stale_withdraw.status_code == 412
    done = api_jining.post(f"/api/v1/incidents/{body['id']}/withdraw",
                           data=json.dumps({"reason": "已修复信用", "version": 2}), content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "withdrawn"


def test_the_api_names_bad_input_and_writes_nothing(api_jining, api_jinan) -> None:
    before = Incident.objects.count()
    bad = api_jining.post("/api/v1/incidents", data=json.dumps({
        "cluster": _jining().pk, "kind": "fire", "severity": "major", "occurred_on": "2025-02-02",
        "description": "测试", "document": ""}), content_type="application/json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"kind", "document"}
    shape = api_jining.post("/api/v1/incidents", data=json.dumps({"cluster": "x"}), content_type="application/json")
    assert shape.status_code == 422
    other = api_jinan.post("/api/v1/incidents", data=json.dumps({
        "cluster": _jining().pk, "kind": "safety", "severity": "major", "occurred_on": "2025-02-02",
        "description": "测试", "document": "x"}), content_type="application/json")
    assert other.status_code == 404
    assert Incident.objects.count() == before


def test_a_read_only_token_is_refused(province_admin) -> None:
    leader = token_client(User.objects.get(username="lingdao"))
    response = leader.post("/api/v1/incidents", data=json.dumps({
        "cluster": _jining().pk, "kind": "safety", "severity": "major", "occurred_on": "2025-02-02",
        "description": "测试", "document": "x"}), content_type="application/json")
    assert response.status_code == 403


# --- command line ------------------------------------------------------------------------------------

def test_the_command_adds_lists_and_withdraws() -> None:
    cluster = _jining()
    out = io.StringIO()
    call_command("incidents", "add", "--cluster", str(cluster.pk), "--kind", "quality", "--severity", "large",
                 "--date", "2025-04-04", "--document", "质监〔2025〕9号", "--description", "测试：批次不合格",
                 "--user", "jining", stdout=out)
    incident = Incident.objects.get(document="质监〔2025〕9号")
    assert f"#{incident.pk}" in out.getvalue() and incident.recorded_by == "jining"
    out = io.StringIO()
    call_command("incidents", "list", "--json", stdout=out)
    assert any(row["id"] == incident.pk for row in json.loads(out.getvalue()))
    call_command("incidents", "withdraw", str(incident.pk), "--reason", "复检合格", stdout=io.StringIO())
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.WITHDRAWN


def test_the_command_refuses_bad_input_in_chinese_and_writes_nothing() -> None:
    before = Incident.objects.count()
    cluster = _jining()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("incidents", "add", "--cluster", str(cluster.pk), "--kind", "quality", "--severity", "large",
                     "--date", "2025-02-30", "--document", "x", "--description", "y")
    with pytest.raises(CommandError, match="类别"):
        call_command("incidents", "add", "--cluster", str(cluster.pk), "--kind", "fire", "--severity", "large",
                     "--date", "2025-02-03", "--document", "x", "--description", "y")
    with pytest.raises(CommandError, match="不存在"):
        call_command("incidents", "add", "--cluster", "no-such-cluster", "--kind", "quality", "--severity", "large",
                     "--date", "2025-02-03", "--document", "x", "--description", "y")
    with pytest.raises(CommandError, match="无权|只有"):
        call_command("incidents", "add", "--cluster", str(cluster.pk), "--kind", "quality", "--severity", "large",
                     "--date", "2025-02-03", "--document", "x", "--description", "y", "--user", "jinan")
    with pytest.raises(CommandError, match="不存在"):
        call_command("incidents", "withdraw", "999999", "--reason", "r")
    assert Incident.objects.count() == before
