"""The middleware: every denial, every download and every admin-site change leaves an event, and only once."""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from jiqun.accounts.models import ApiToken, User
from jiqun.accounts.services import api_token_create
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.clusters.models import Cluster
from jiqun.conftest import client_for, token_client
from jiqun.monitoring.tests.helpers import column_of, fill_template, open_test_period, read_sheet

pytestmark = pytest.mark.django_db


def events_since(mark: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(pk__gt=mark, action=action).order_by("id"))


def last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def jining_cluster(jinan_officer: User, jining_officer: User) -> Cluster:
    """A cluster Jining sees and Jinan does not."""
    return Cluster.objects.for_user(jining_officer).exclude(pk__in=Cluster.objects.for_user(jinan_officer)).first()


def test_a_city_officer_opening_another_citys_cluster_writes_a_denied_event(jinan_officer, jining_officer, as_jinan):
    cluster = jining_cluster(jinan_officer, jining_officer)
    mark = last_id()
    assert as_jinan.get(f"/clusters/{cluster.pk}/").status_code == 404
    [event] = events_since(mark, AuditAction.DENIED)
    assert event.actor == jinan_officer and event.actor_name == "jinan"
    assert event.object_type == "clusters:detail" and event.object_id == str(cluster.pk)
    assert event.object_repr == f"/clusters/{cluster.pk}/" and event.after == {"status": 404, "method": "GET"}
    assert event.ip == "127.0.0.1"


def test_an_api_404_outside_scope_writes_a_denied_event(jinan_officer, jining_officer):
    cluster = jining_cluster(jinan_officer, jining_officer)
    client = token_client(jinan_officer)
    mark = last_id()
    assert client.get(f"/api/v1/clusters/{cluster.pk}").status_code == 404
    [event] = events_since(mark, AuditAction.DENIED)
    assert event.actor == jinan_officer and event.object_id == str(cluster.pk)
    assert event.object_type.startswith("api:")


def test_every_403_writes_a_denied_event_even_without_a_login(jinan_officer):
    mark = last_id()
    client = Client(enforce_csrf_checks=True)
    assert client.post("/accounts/login/", {"username": "jinan", "password": "x"}).status_code == 403
    [event] = events_since(mark, AuditAction.DENIED)
    assert event.actor is None and event.after == {"status": 403, "method": "POST"}


def test_each_of_many_denials_is_logged(jinan_officer, jining_officer, as_jinan):
    cluster = jining_cluster(jinan_officer, jining_officer)
    mark = last_id()
    for _ in range(25):
        as_jinan.get(f"/clusters/{cluster.pk}/edit/")
    assert len(events_since(mark, AuditAction.DENIED)) == 25


def test_a_404_on_no_object_route_or_without_a_login_is_not_logged(jinan_officer, jining_officer, as_jinan):
    cluster = jining_cluster(jinan_officer, jining_officer)
    mark = last_id()
    assert as_jinan.get("/no-such-page/").status_code == 404
    assert Client().get(f"/clusters/{cluster.pk}/").status_code == 302  # to the login page
    assert as_jinan.get("/clusters/").status_code == 200
    assert events_since(mark, AuditAction.DENIED) == []


def test_a_page_download_the_view_already_logs_is_logged_once(as_province):
    period = open_test_period()
    mark = last_id()
    response = as_province.get(f"/monitoring/periods/{period.pk}/reminders.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    [event] = events_since(mark, AuditAction.EXPORT)
    assert event.actor_name == "sheng" and "催报名单" in event.object_repr


def test_an_xlsx_download_no_view_logs_writes_an_export_event(jining_officer, as_jining, as_jinan):
    period = open_test_period()
    template = as_jining.get(f"/monitoring/periods/{period.pk}/template.xlsx").content
    indicators = list(period.indicators.order_by("code"))
    key = read_sheet(template)[5][0]
    upload = io.BytesIO(fill_template(template, {key: {column_of("revenue", "current", indicators): "约五百亿"}}))
    upload.name = "季报.xlsx"
    token = as_jining.post(f"/monitoring/periods/{period.pk}/upload/", {"file": upload}).context["annotated"]
    mark = last_id()
    response = as_jining.get(f"/monitoring/uploads/{token}.xlsx")
    b"".join(response.streaming_content)
    [event] = events_since(mark, AuditAction.EXPORT)
    assert event.actor == jining_officer and event.object_repr == "审核结果.xlsx"
    assert event.object_type == "monitoring:annotated" and event.object_id == token
    assert as_jinan.get(f"/monitoring/uploads/{token}.xlsx").status_code == 404
    [denied] = events_since(mark, AuditAction.DENIED)
    assert denied.actor_name == "jinan"


def test_a_cli_template_export_writes_an_export_event(tmp_path):
    period = open_test_period()
    mark = last_id()
    path = tmp_path / "template.xlsx"
    call_command("export", "template", "--period", str(period.pk), "--user", "jining", "-o", str(path),
                 stdout=StringIO())
    [event] = events_since(mark, AuditAction.EXPORT)
    assert event.actor is None and event.actor_name.startswith("cli:")
    assert event.after["file"] == str(path.resolve()) and event.after["scope_user"] == "jining"


def test_a_cli_targets_workbook_writes_an_export_event(tmp_path):
    mark = last_id()
    path = tmp_path / "targets.xlsx"
    call_command("targets", "status", "--programme", "JN-2020-231", "--xlsx", str(path), stdout=StringIO())
    [event] = events_since(mark, AuditAction.EXPORT)
    assert event.actor_name.startswith("cli:") and event.after["file"] == str(path.resolve())
    assert "JN-2020-231" in event.object_repr


def test_a_cli_targets_listing_without_a_file_writes_no_export_event():
    mark = last_id()
    call_command("targets", "status", "--programme", "JN-2020-231", stdout=StringIO())
    assert events_since(mark, AuditAction.EXPORT) == []


def test_an_admin_site_change_writes_an_event_without_secret_values():
    xitong = User.objects.get(username="xitong")
    jinan = User.objects.get(username="jinan")
    new_password = "Xq7#mPz9!kLw2"
    client = client_for(xitong)
    mark = last_id()
    response = client.post(f"/admin/accounts/user/{jinan.pk}/password/", {
        "usable_password": "true", "password1": new_password, "password2": new_password})
    assert response.status_code == 302
    [event] = [e for e in events_since(mark, AuditAction.UPDATE) if e.object_type.startswith("admin:")]
    assert event.actor == xitong and event.object_type == "admin:auth_user_password"
    assert event.object_id == str(jinan.pk)
    assert new_password not in json.dumps(event.after, ensure_ascii=False)
    assert not any("password" in name for name in event.after["fields"])


def test_an_admin_bulk_action_writes_an_event_naming_the_action_and_the_rows():
    anquan = User.objects.get(username="anquan")
    qiye = User.objects.get(username="qiye")
    token, _key = api_token_create(actor=qiye, user=qiye, name="脚本")
    client = client_for(anquan)
    mark = last_id()
    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302 and ApiToken.objects.get(pk=token.pk).revoked
    [event] = [e for e in events_since(mark, AuditAction.UPDATE) if e.object_type.startswith("admin:")]
    assert event.actor == anquan and event.object_type == "admin:accounts_apitoken"
    assert event.after == {"bulk_action": "revoke", "selected": [str(token.pk)]}
