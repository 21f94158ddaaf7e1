"""The keyed chain and its checkpoint: every way of tampering the issue names is detected; lawful pruning is not."""

import datetime
import hashlib
import hmac
import json
import os
import stat
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiqun.audit.chain import GENESIS, PLAIN, plain_hash
from jiqun.audit.models import AuditAction, AuditEvent, HashScheme
from jiqun.audit.services import audit_prune, audit_record, audit_verify
from jiqun.audit.store import audit_key, check_audit_settings

ROOT = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.django_db


def messages() -> list[str]:
    return [problem.message for problem in audit_verify()]


def broken_ids() -> set[int | None]:
    return {problem.event_id for problem in audit_verify()}


def verify_command() -> tuple[int, str]:
    """Run `jiqun audit verify` and return its exit status and everything it printed."""
    out, err = StringIO(), StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def raw_sql(sql: str, params: list) -> None:
    """Change the table behind the application's back, as someone with database access would."""
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{table}", AuditEvent._meta.db_table), params)


def test_an_intact_chain_verifies_and_the_command_exits_0(fresh_chain, append):
    append(5)
    assert audit_verify() == []
    status, output = verify_command()
    assert status == 0
    assert "审计日志链完整：已校验 5 条记录" in output


def test_the_demo_chain_verifies_once_checkpointed(checkpointed, append):
    append(2)
    assert audit_verify() == []


def test_it_detects_a_field_edited_by_raw_sql(fresh_chain, append):
    events = append(4)
    raw_sql("UPDATE {table} SET object_repr = %s WHERE id = %s", ["篡改后的对象", events[1].pk])
    assert events[1].pk in broken_ids()
    status, output = verify_command()
    assert status == 1
    assert f"编号 {events[1].pk} 的内容被改动（哈希不符）" in output
    assert "审计日志链已被破坏" in output


def recompute_plain(from_event: AuditEvent, *, scheme: str | None = None) -> None:
    """Re-hash every row from `from_event` on with plain SHA-256, as an attacker without the key can."""
    prev = AuditEvent.objects.filter(id__lt=from_event.pk).order_by("-id").values_list("hash", flat=True).first()
    prev = prev or GENESIS
    for event in AuditEvent.objects.filter(id__gte=from_event.pk).order_by("id"):
        if scheme:
            event.scheme = scheme
        new_hash = plain_hash(prev, event.payload())
        raw_sql("UPDATE {table} SET prev_hash = %s, hash = %s, scheme = %s WHERE id = %s",
                [prev, new_hash, event.scheme, event.pk])
        prev = new_hash


def test_it_detects_a_chain_recomputed_with_plain_sha256_from_an_edited_row(fresh_chain, append):
    events = append(5)
    raw_sql("UPDATE {table} SET actor_name = %s WHERE id = %s", ["别人", events[2].pk])
    recompute_plain(AuditEvent.objects.get(pk=events[2].pk))
    found = broken_ids()
    assert {e.pk for e in events[2:]} <= found


def test_it_detects_a_chain_recomputed_as_legacy_plain_rows(fresh_chain, append):
    events = append(5)
    raw_sql("UPDATE {table} SET actor_name = %s WHERE id = %s", ["别人", events[0].pk])
    recompute_plain(AuditEvent.objects.get(pk=events[0].pk), scheme=PLAIN)
    found = messages()
    # Each row now hashes correctly as a plain row; only the checkpoint outside the table shows the rewrite.
    assert any("与检查点不符" in m for m in found)


def test_it_detects_a_chain_recomputed_with_a_guessed_key(fresh_chain, append):
    events = append(3)
    raw_sql("UPDATE {table} SET object_repr = %s WHERE id = %s", ["篡改", events[0].pk])
    prev = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        new_hash = hmac.new(b"guessed-key", (prev + event.payload()).encode(), hashlib.sha256).hexdigest()
        raw_sql("UPDATE {table} SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new_hash, event.pk])
        prev = new_hash
    assert {e.pk for e in events} <= broken_ids()


def test_it_detects_deleted_newest_rows_and_a_later_append_does_not_hide_it(fresh_chain, append):
    events = append(5)
    raw_sql("DELETE FROM {table} WHERE id >= %s", [events[3].pk])
    found = messages()
    assert any("最新的记录被删除：检查点记到第 5 条" in m for m in found)
    status, output = verify_command()
    assert status == 1 and "最新的记录被删除" in output
    append(3)  # the application goes on logging; the checkpoint must keep the evidence
    assert any("检查点记的编号" in m or "最新的记录被删除" in m for m in messages())


def test_it_detects_deleted_oldest_rows(fresh_chain, append):
    events = append(5)
    raw_sql("DELETE FROM {table} WHERE id <= %s", [events[1].pk])
    found = audit_verify()
    assert found and found[0].event_id == events[2].pk
    assert "之前的记录被删除" in found[0].message


def test_it_detects_a_row_deleted_in_the_middle(fresh_chain, append):
    events = append(5)
    raw_sql("DELETE FROM {table} WHERE id = %s", [events[2].pk])
    assert events[3].pk in broken_ids()


def test_it_detects_an_edited_checkpoint(fresh_chain, append):
    append(3)
    path = fresh_chain / "audit-head.json"
    data = json.loads(path.read_text())
    for head in data["heads"].values():
        head["count"] = 2
    path.write_text(json.dumps(data))
    assert any("检查点的签名不符" in m for m in messages())


def test_it_detects_a_deleted_checkpoint(fresh_chain, append):
    append(3)
    (fresh_chain / "audit-head.json").unlink()
    assert any("没有检查点" in m for m in messages())


def append_at(moment: datetime.datetime, monkeypatch, append, n: int) -> list[AuditEvent]:
    """Append events as if written at `moment` (the clock is the only thing replaced)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)
    try:
        return append(n, object_repr="旧记录")
    finally:
        monkeypatch.undo()


def test_a_lawful_prune_verifies_and_is_itself_recorded(fresh_chain, append, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    old = append_at(timezone.now() - datetime.timedelta(days=400), monkeypatch, append, 3)
    kept = append(2)
    before = timezone.localdate() - datetime.timedelta(days=200)
    with django_capture_on_commit_callbacks(execute=True):
        prune = audit_prune(actor=None, actor_name="tester", before=before)
    assert not AuditEvent.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in kept]).count() == 2
    assert prune.action == AuditAction.PRUNE and prune.after["deleted"] == 3
    assert prune.after["first_prev_hash"] == old[-1].hash
    assert audit_verify() == []
    append(2)
    assert audit_verify() == []
    # Deleting the oldest rows again, without a prune, is still caught against the moved start.
    raw_sql("DELETE FROM {table} WHERE id = %s", [kept[0].pk])
    assert any("之前的记录被删除" in m for m in messages())


def test_a_prune_of_every_row_still_verifies(fresh_chain, append, monkeypatch, django_capture_on_commit_callbacks):
    append_at(timezone.now() - datetime.timedelta(days=400), monkeypatch, append, 3)
    with django_capture_on_commit_callbacks(execute=True):
        audit_prune(actor=None, actor_name="tester", before=timezone.localdate() - datetime.timedelta(days=200))
    assert AuditEvent.objects.count() == 1
    assert audit_verify() == []


def test_it_refuses_to_prune_rows_younger_than_the_retention(fresh_chain, append, settings):
    append(3)
    before = timezone.localdate() - datetime.timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        audit_prune(actor=None, actor_name="tester", before=before)
    assert "保留期为 180 天" in refused.value.message_dict["before"][0]
    assert AuditEvent.objects.count() == 3
    with pytest.raises(CommandError, match="--before：不能清理 .* 之前的日志：保留期为 180 天"):
        call_command("audit", "prune", "--before", before.isoformat())
    assert AuditEvent.objects.count() == 3
    assert not AuditEvent.objects.filter(action=AuditAction.PRUNE).exists()


def test_it_refuses_a_prune_date_it_cannot_read(fresh_chain, append):
    append(2)
    with pytest.raises(CommandError, match="--before：“2025-13-45”不是 YYYY-MM-DD 格式的日期"):
        call_command("audit", "prune", "--before", "2025-13-45")
    assert AuditEvent.objects.count() == 2


def test_the_prune_command_reports_what_it_deleted(fresh_chain, append, monkeypatch,
                                                   django_capture_on_commit_callbacks):
    append_at(timezone.now() - datetime.timedelta(days=300), monkeypatch, append, 2)
    append(1)
    out = StringIO()
    before = timezone.localdate() - datetime.timedelta(days=190)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("audit", "prune", "--before", before.isoformat(), stdout=out)
    assert f"已清理 {before.isoformat()} 之前的审计日志 2 条（保留期 180 天）" in out.getvalue()
    assert verify_command()[0] == 0


def test_legacy_plain_rows_verify_and_cannot_be_rewritten(fresh_chain, append):
    prev = GENESIS
    legacy = []
    for seq in (1, 2, 3):
        event = AuditEvent(at=timezone.now(), actor_name="old", action="update", object_repr=f"旧{seq}", seq=seq,
                           scheme=HashScheme.PLAIN, prev_hash=prev)
        event.hash = plain_hash(prev, event.payload())
        event.save()
        legacy.append(event)
        prev = event.hash
    append(2)
    assert audit_verify() == []
    raw_sql("UPDATE {table} SET object_repr = %s WHERE id = %s", ["篡改", legacy[1].pk])
    recompute_plain(AuditEvent.objects.get(pk=legacy[1].pk), scheme=PLAIN)
    assert messages(), "rewriting the plain rows must break the first keyed row's link or the checkpoint"


def queries_of_one_append() -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        audit_record(actor=None, actor_name="t", action="update")
    return [q["sql"] for q in captured.captured_queries]


def test_appending_costs_the_same_queries_however_long_the_chain(fresh_chain, append):
    append(2)
    short = queries_of_one_append()
    append(80)
    long = queries_of_one_append()
    assert len(short) == len(long) <= 5
    assert not any("COUNT(" in sql.upper() for sql in long)


def test_the_key_file_is_created_0600_on_first_use(settings, tmp_path):
    settings.JIQUN_AUDIT_KEY = ""
    settings.JIQUN_AUDIT_KEY_FILE = tmp_path / "sub" / "audit.key"
    key = audit_key()
    assert len(key) == 64
    assert stat.S_IMODE(os.stat(settings.JIQUN_AUDIT_KEY_FILE).st_mode) == 0o600
    assert audit_key() == key


def test_it_refuses_a_key_file_others_can_read(settings, tmp_path):
    settings.JIQUN_AUDIT_KEY = ""
    settings.JIQUN_AUDIT_KEY_FILE = tmp_path / "loose.key"
    settings.JIQUN_AUDIT_KEY_FILE.write_text("ab" * 32)
    settings.JIQUN_AUDIT_KEY_FILE.chmod(0o644)
    with pytest.raises(ImproperlyConfigured, match="loose.key 的权限过宽"):
        audit_key()


def test_it_refuses_a_retention_below_180_days(settings):
    settings.JIQUN_AUDIT_RETENTION_DAYS = 90
    with pytest.raises(ImproperlyConfigured, match="JIQUN_AUDIT_RETENTION_DAYS 为 90 天，低于等保要求的至少 180 天"):
        check_audit_settings()


def test_it_refuses_to_start_with_a_retention_below_180_days(tmp_path):
    env = {**os.environ, "JIQUN_AUDIT_RETENTION_DAYS": "179", "DJANGO_SETTINGS_MODULE": "jiqun.config.settings",
           "JIQUN_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "JIQUN_AUDIT_RETENTION_DAYS" in result.stderr and "180" in result.stderr


def test_it_refuses_to_prune_a_broken_chain_and_keeps_the_evidence(fresh_chain, append, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    append_at(timezone.now() - datetime.timedelta(days=400), monkeypatch, append, 2)
    young = append(3)
    # The attack: age today's rows in the database so that a prune would delete them with their traces.
    raw_sql("UPDATE {table} SET at = %s WHERE id = %s", [timezone.now() - datetime.timedelta(days=400), young[0].pk])
    with pytest.raises(ValidationError) as refused:
        audit_prune(actor=None, actor_name="tester", before=timezone.localdate() - datetime.timedelta(days=200))
    assert "审计日志链校验未通过" in refused.value.message_dict["before"][0]
    assert AuditEvent.objects.count() == 5 and not AuditEvent.objects.filter(action=AuditAction.PRUNE).exists()
    assert audit_verify() != []
