"""The audit administrator's pages under /audit/: search, export, the chain check; nobody else gets in."""

import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from jiqun.accounts.models import User
from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.audit.services import audit_checkpoint_refresh, audit_record
from jiqun.conftest import client_for

pytestmark = pytest.mark.django_db

OTHERS = ["sheng", "jinan", "jining", "rencheng", "jiqun_org", "qiye", "zhuanjia", "lingdao", "xitong", "anquan"]


@pytest.fixture
def shenji(db) -> User:
    return User.objects.get(username="shenji")


@pytest.fixture
def as_shenji(shenji) -> Client:
    return client_for(shenji)


def rows_of(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def test_the_audit_admin_sees_the_log_and_the_navigation_entry(as_shenji):
    audit_record(actor=None, actor_name="tester", action=AuditAction.UPDATE, object_repr="可见的记录")
    page = as_shenji.get("/audit/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "可见的记录" in text and 'href="/audit/"' in text


@pytest.mark.parametrize("username", OTHERS)
def test_no_other_persona_reaches_the_audit_pages(username):
    client = client_for(User.objects.get(username=username))
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    for path in ("/audit/", "/audit/export/", "/audit/verify/"):
        assert client.get(path).status_code == 404, (username, path)
    assert 'href="/audit/"' not in client.get("/").content.decode()
    assert not AuditEvent.objects.filter(pk__gt=mark, action=AuditAction.EXPORT).exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page():
    response = Client().get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_search_filters_by_user_action_object_and_date(as_shenji):
    audit_record(actor=None, actor_name="甲用户", action=AuditAction.DENIED, object_type="clusters:detail",
                 object_repr="/clusters/9999/")
    audit_record(actor=None, actor_name="乙用户", action=AuditAction.EXPORT, object_type="monitoring:template",
                 object_repr="统计季报模板")
    table = lambda response: response.content.decode().split('id="audit-table"')[1]  # noqa: E731
    by_user = table(as_shenji.get("/audit/", {"user": "甲用户"}))
    assert "/clusters/9999/" in by_user and "统计季报模板" not in by_user
    by_action = table(as_shenji.get("/audit/", {"action": "export", "q": "统计季报"}))
    assert "统计季报模板" in by_action and "/clusters/9999/" not in by_action
    by_type = table(as_shenji.get("/audit/", {"object_type": "clusters:"}))
    assert "/clusters/9999/" in by_type and "统计季报模板" not in by_type
    today = timezone.localdate()
    in_range = table(as_shenji.get("/audit/", {"date_from": today.isoformat(), "date_to": today.isoformat(),
                                               "user": "乙用户"}))
    assert "统计季报模板" in in_range
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    assert "统计季报模板" not in table(as_shenji.get("/audit/", {"date_to": yesterday, "user": "乙用户"}))


def test_it_refuses_a_reversed_date_range_by_name_and_exports_nothing(as_shenji):
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    for path in ("/audit/", "/audit/export/"):
        response = as_shenji.get(path, {"date_from": "2026-03-01", "date_to": "2026-01-01"})
        assert response.status_code == 400
        assert "截止日期：截止日期 2026-01-01 早于起始日期 2026-03-01" in response.content.decode()
        response = as_shenji.get(path, {"date_from": "2026-02-30"})
        assert response.status_code == 400 and "起始日期：" in response.content.decode()
    assert not AuditEvent.objects.filter(pk__gt=mark, action=AuditAction.EXPORT).exists()


def test_the_export_is_an_xlsx_of_the_search_with_formulas_defused_and_is_logged(as_shenji, shenji):
    audit_record(actor=None, actor_name="=HYPERLINK(\"http://x\")", action=AuditAction.UPDATE,
                 object_repr="+cmd|' /C calc'!A0")
    audit_record(actor=None, actor_name="other", action=AuditAction.UPDATE, object_repr="@SUM(1)")
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    response = as_shenji.get("/audit/export/", {"action": "update", "q": "calc"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    rows = rows_of(response.content)
    assert rows[1][0] == "序号" and len(rows) == 3
    assert rows[2][3] == "'=HYPERLINK(\"http://x\")" and rows[2][7] == "'+cmd|' /C calc'!A0"
    [event] = AuditEvent.objects.filter(pk__gt=mark, action=AuditAction.EXPORT)
    assert event.actor == shenji and event.after["rows"] == 1 and "calc" in event.after["criteria"]


def test_the_verify_page_reports_an_intact_chain_and_then_a_broken_one(as_shenji, settings, tmp_path):
    settings.JIQUN_AUDIT_HEAD_FILE = tmp_path / "audit-head.json"
    audit_checkpoint_refresh()
    page = as_shenji.get("/audit/verify/").content.decode()
    assert "日志链完整" in page
    event = AuditEvent.objects.order_by("id").first()
    AuditEvent.objects.filter(pk=event.pk).update(object_repr="篡改")
    page = as_shenji.get("/audit/verify/").content.decode()
    assert "日志链已被破坏" in page and f"编号 {event.pk} 的内容被改动（哈希不符）" in page
