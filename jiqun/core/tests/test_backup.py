"""`jiqun backup FILE` and `jiqun restore FILE`: a round trip gives back every table and uploaded file, and a
corrupt, foreign or mismatched file is refused with a Chinese message and changes nothing."""

import gzip
import io
import json
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection

from jiqun.audit.models import AuditEvent
from jiqun.audit.services import audit_verify
from jiqun.core.backup import SKIPPED, backed_up_models
from jiqun.enterprises.services import enterprise_create
from jiqun.monitoring.models import ReportRevision
from jiqun.regions.models import Region

pytestmark = pytest.mark.django_db


def table_contents() -> dict[str, list]:
    """Every table's rows (many-to-many links inside their rows), foreign keys to content types by natural key."""
    contents = {}
    for model in backed_up_models():
        contents[model._meta.label_lower] = serializers.serialize(
            "python", model._base_manager.order_by(model._meta.pk.name), use_natural_foreign_keys=True)
    for model in apps.get_models():
        if model._meta.label_lower in SKIPPED - {"sessions.session"}:  # rebuilt by flush: compare by natural key
            rows = serializers.serialize("python", model._base_manager.all(), use_natural_foreign_keys=True,
                                         use_natural_primary_keys=True)
            contents[model._meta.label_lower] = sorted(rows, key=repr)
    return contents


def media_contents(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """An uploaded evidence file and a workbook under a MEDIA_ROOT of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "evidence" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "2026" / "会议纪要.pdf").write_bytes(b"%PDF-1.7 \x00\xff evidence")
    (settings.MEDIA_ROOT / "imports").mkdir()
    (settings.MEDIA_ROOT / "imports" / "q2.xlsx").write_bytes(b"PK\x03\x04 workbook")
    return settings.MEDIA_ROOT


@pytest.fixture
def backup(media, tmp_path) -> Path:
    path = tmp_path / "jiqun.tar.gz"
    run("backup", str(path))
    return path


def change_everything(province_admin, media: Path) -> None:
    """Writes after the backup, which a restore must undo."""
    enterprise_create(actor=province_admin, name="备份之后的企业", region=Region.objects.get(code="370100"))
    (media / "imports" / "q2.xlsx").unlink()
    (media / "later.pdf").write_bytes(b"later")


def test_a_round_trip_gives_back_every_table_and_uploaded_file(province_admin, media, tmp_path):
    assert ReportRevision.objects.exists(), "the demo has report revisions, the table dumpdata used to break on"
    before, files = table_contents(), media_contents(media)
    path = tmp_path / "jiqun.tar.gz"
    output = run("backup", str(path))
    assert "已备份" in output and "2 个上传文件" in output
    change_everything(province_admin, media)

    output = run("restore", str(path), "--force")

    assert "恢复" in output
    after = table_contents()
    events_before, events_after = before.pop("audit.auditevent"), after.pop("audit.auditevent")
    assert events_after[:-1] == events_before, "the audit log is the backup's, plus the restore"
    assert set(after) == set(before) and len(after) >= 40
    for label in before:
        assert after[label] == before[label], label
    assert media_contents(media) == files
    assert audit_verify() == [], "datetimes keep their microseconds, so the hash chain still verifies"


def test_backup_and_restore_are_audited(province_admin, backup):
    export = AuditEvent.objects.order_by("-id").first()
    assert (export.action, export.object_type, export.object_repr) == ("export", "backup", backup.name)
    assert export.after["rows"] > 1000 and export.after["media_files"] == 2 and export.after["sha256"]

    run("restore", str(backup), "--force")

    restore = AuditEvent.objects.order_by("-id").first()
    assert (restore.action, restore.object_type, restore.after["sha256"]) == ("import", "backup", export.after["sha256"])
    assert restore.before["last_event"]["id"] == export.pk, "the restore names the chain it replaced"


def test_it_restores_into_an_empty_database_without_force(backup, media):
    before = table_contents()
    connection.check_constraints()  # PostgreSQL will not TRUNCATE while this transaction has deferred checks
    call_command("flush", interactive=False, verbosity=0)

    run("restore", str(backup))

    after = table_contents()
    assert after["audit.auditevent"][:-1] == before["audit.auditevent"][:-1], "all but the backup's own event"
    assert {k: v for k, v in after.items() if k != "audit.auditevent"} == {
        k: v for k, v in before.items() if k != "audit.auditevent"}


def assert_refused(path: Path, media: Path, *message: str, force: bool = True) -> None:
    """The restore fails with a Chinese message naming the file and the reason, and writes nothing."""
    before, files = table_contents(), media_contents(media)
    with pytest.raises(CommandError) as refused:
        run("restore", str(path), *(["--force"] if force else []))
    text = str(refused.value)
    assert path.name in text and "无法恢复" in text and "均未改动" in text
    for part in message:
        assert part in text
    assert table_contents() == before
    assert media_contents(media) == files


def test_it_refuses_a_non_empty_database_without_force(backup, media):
    assert_refused(backup, media, "不是空的", "--force", force=False)


def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of a backup whose members `change(name, data)` rewrote (None drops one)."""
    with tarfile.open(source, "r:gz") as archive, tarfile.open(target, "w:gz") as out:
        for member in archive.getmembers():
            data = change(member.name, archive.extractfile(member).read())
            if data is not None:
                info = tarfile.TarInfo(member.name)
                info.size = len(data)
                out.addfile(info, io.BytesIO(data))
    return target


def test_it_refuses_a_corrupt_file(backup, media, tmp_path):
    raw = bytearray(backup.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    corrupt = tmp_path / "corrupt.tar.gz"
    corrupt.write_bytes(bytes(raw))
    assert_refused(corrupt, media, "已损坏")


def test_it_refuses_a_truncated_file(backup, media, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    assert_refused(truncated, media, "已损坏")


def test_it_refuses_a_file_whose_data_was_changed(backup, media, tmp_path):
    def change(name: str, data: bytes) -> bytes:
        return data.replace("演示数据".encode(), "伪造数据".encode()) if name == "data.json" else data

    assert_refused(rewrite(backup, tmp_path / "changed.tar.gz", change), media, "data.json", "校验值不符")


def test_it_refuses_a_file_missing_a_member(backup, media, tmp_path):
    def change(name: str, data: bytes) -> bytes | None:
        return None if name.startswith("media/imports") else data

    assert_refused(rewrite(backup, tmp_path / "missing.tar.gz", change), media, "缺少", "media/imports/q2.xlsx")


def test_it_refuses_an_entry_outside_the_manifest_or_the_folder(backup, media, tmp_path):
    path = tmp_path / "escape.tar.gz"
    with tarfile.open(backup, "r:gz") as archive, tarfile.open(path, "w:gz") as out:
        for member in archive.getmembers():
            out.addfile(member, archive.extractfile(member))
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        out.addfile(info, io.BytesIO(b"x"))
    assert_refused(path, media, "../escape.txt")
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize("content", [b"", b"not a backup at all", gzip.compress(b"plain text, gzipped")])
def test_it_refuses_a_file_that_is_not_an_archive(content, media, tmp_path):
    path = tmp_path / "foreign.tar.gz"
    path.write_bytes(content)
    assert_refused(path, media, "已损坏")


def test_it_refuses_a_foreign_archive(media, tmp_path):
    path = tmp_path / "foreign.tar.gz"
    with tarfile.open(path, "w:gz") as out:
        info = tarfile.TarInfo("db.json")
        info.size = 2
        out.addfile(info, io.BytesIO(b"[]"))
    assert_refused(path, media, "不是 jiqun 备份文件")


def test_it_refuses_a_manifest_of_another_format_or_version(backup, media, tmp_path):
    def other_format(name: str, data: bytes) -> bytes:
        return json.dumps({"format": "other"}).encode() if name == "manifest.json" else data

    def newer_version(name: str, data: bytes) -> bytes:
        return json.dumps({**json.loads(data), "format_version": 99}).encode() if name == "manifest.json" else data

    assert_refused(rewrite(backup, tmp_path / "other.tar.gz", other_format), media, "格式不符")
    assert_refused(rewrite(backup, tmp_path / "newer.tar.gz", newer_version), media, "版本 99 不受支持")


def test_it_refuses_a_backup_of_other_migrations(backup, media, tmp_path):
    def older(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        return json.dumps({**manifest, "migrations": manifest["migrations"][:-1]}).encode()

    assert_refused(rewrite(backup, tmp_path / "older.tar.gz", older), media, "数据库结构", "迁移")


def test_it_refuses_a_file_that_does_not_exist(media, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        run("restore", str(tmp_path / "nowhere.tar.gz"))


def test_backup_refuses_to_overwrite_a_file_without_overwrite(backup):
    content = backup.read_bytes()
    with pytest.raises(CommandError, match="已存在"):
        run("backup", str(backup))
    assert backup.read_bytes() == content


def test_report_revisions_dump_and_load_with_dumpdata(tmp_path):
    """The root of the old failure: the figures (JSON kept as text) were dumped as Python's str() of a dict."""
    fixture = tmp_path / "revisions.json"
    call_command("dumpdata", "monitoring.reportrevision", output=str(fixture), verbosity=0)
    before = {r.pk: r.figures for r in ReportRevision.objects.all()}
    assert before and all(isinstance(json.loads(row["fields"]["figures"]), dict)
                          for row in json.loads(fixture.read_text()))
    ReportRevision.objects.all().delete()

    call_command("loaddata", str(fixture), verbosity=0)

    assert {r.pk: r.figures for r in ReportRevision.objects.all()} == before
