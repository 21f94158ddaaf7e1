"""Backup and restore of the whole platform: every app's rows and the uploaded files, in one checked archive.

A backup is a .tar.gz holding

- `data.json`: every model's rows as a Django JSON fixture, foreign keys to content types and permissions by
  natural key (those two tables are rebuilt by `migrate`/`flush`, so their ids may differ on the target);
  datetimes keep their microseconds, which the audit log's hash chain covers;
- `media/…`: the files under MEDIA_ROOT (evidence, uploaded workbooks);
- `manifest.json`: format and version, when and from which database it was made, the applied migrations,
  the number of rows of each model and the SHA-256 of every other member.

`backup_restore` checks the whole archive before it writes anything, loads the rows in one transaction and
only then swaps the media folder in, so a corrupt, foreign or mismatched file changes nothing.
"""

import datetime
import getpass
import hashlib
import io
import json
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from jiqun.audit.models import AuditAction, AuditEvent
from jiqun.audit.services import audit_record

FORMAT = "jiqun-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA = "media"
# Rebuilt from the models by migrate and flush (rows elsewhere refer to them by natural key), or not data.
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
CHUNK = 1024 * 1024


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder without its cut of datetimes to milliseconds: a restore must give back every value."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    sha256: str
    rows: int
    media_files: int


def backed_up_models() -> list[type[Model]]:
    """Every concrete model a backup holds, parents before the models that refer to them."""
    app_list = [(config, None) for config in apps.get_app_configs() if config.models_module is not None]
    ordered = serializers.sort_dependencies(app_list, allow_cycles=True)
    return [model for model in ordered
            if model._meta.label_lower not in SKIPPED and not model._meta.proxy and model._meta.managed]


def _rows(models: list[type[Model]]) -> Iterator[Model]:
    for model in models:
        yield from model._base_manager.order_by(model._meta.pk.name).iterator()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def _jiqun_version() -> str:
    try:
        return version("jiqun")
    except PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown"


def _operator() -> str:
    """Who ran the command, for the audit log: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def _media_files() -> list[tuple[Path, str]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted((path, path.relative_to(root).as_posix()) for path in root.rglob("*") if path.is_file())


def backup_write(*, path: Path, actor=None) -> BackupSummary:
    """Write every model's rows and the uploaded files to a .tar.gz at `path`, then audit the backup."""
    path = Path(path)
    models = backed_up_models()
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / DATA
        # One transaction, so the rows of every table are of one moment (REPEATABLE READ on PostgreSQL).
        outermost = not connection.in_atomic_block
        with transaction.atomic(), data.open("w", encoding="utf-8") as stream:
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            counts = {model._meta.label_lower: model._base_manager.count() for model in models}
            serializers.serialize("json", _rows(models), stream=stream, cls=ExactJSONEncoder,
                                  use_natural_foreign_keys=True, use_natural_primary_keys=False)
            migrations = _applied_migrations()
        media = _media_files()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "jiqun_version": _jiqun_version(),
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "database": connection.vendor,
            "migrations": migrations,
            "counts": counts,
            "files": {DATA: _sha256(data), **{f"{MEDIA}/{name}": _sha256(file) for file, name in media}},
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(manifest_bytes), int(datetime.datetime.now().timestamp())
            archive.addfile(info, io.BytesIO(manifest_bytes))
            archive.add(data, arcname=DATA, recursive=False)
            for file, name in media:
                archive.add(file, arcname=f"{MEDIA}/{name}", recursive=False)
        partial.replace(path)  # never leave a half-written file under the name asked for
    summary = BackupSummary(path=path, sha256=_sha256(path), rows=sum(counts.values()), media_files=len(media))
    audit_record(actor=actor, actor_name="" if actor else _operator(), action=AuditAction.EXPORT,
                 object_type="backup", object_id=summary.sha256[:16], object_repr=path.name[:200],
                 after={"file": str(path), "sha256": summary.sha256, "rows": summary.rows,
                        "media_files": summary.media_files})
    return summary


# --- restore ---------------------------------------------------------------------------------------

def _refuse(path: Path, reason: str) -> ValidationError:
    return ValidationError(_("备份文件 %(file)s 无法恢复：%(reason)s。数据库和上传文件均未改动。")
                           % {"file": path.name, "reason": reason})


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts and "\\" not in name


def _unpack(path: Path, into: Path) -> dict:
    """Unpack a backup into the scratch folder `into` after checking it; return its manifest."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            members = archive.getmembers()
            names = [m.name for m in members]
            if MANIFEST not in names:
                raise _refuse(path, _("不是 jiqun 备份文件（缺少 manifest.json）"))
            manifest = json.loads(archive.extractfile(MANIFEST).read().decode())
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _refuse(path, _("不是 jiqun 备份文件（manifest.json 格式不符）"))
            if manifest.get("format_version") != FORMAT_VERSION:
                raise _refuse(path, _("备份格式版本 %(found)s 不受支持（本系统为 %(ours)s）")
                              % {"found": manifest.get("format_version"), "ours": FORMAT_VERSION})
            files = manifest.get("files")
            if not isinstance(files, dict) or DATA not in files or not isinstance(manifest.get("counts"), dict):
                raise _refuse(path, _("manifest.json 缺少文件清单或行数"))
            for member in members:
                if member.name == MANIFEST:
                    continue
                if member.name not in files or not member.isfile() or not _safe_name(member.name):
                    raise _refuse(path, _("含有清单之外或不安全的条目“%(name)s”") % {"name": member.name[:100]})
                target = into / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                with archive.extractfile(member) as source, target.open("wb") as sink:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        sink.write(chunk)
                if digest.hexdigest() != files[member.name]:
                    raise _refuse(path, _("文件“%(name)s”的校验值不符，备份已损坏或被改动") % {"name": member.name[:100]})
            missing = sorted(set(files) - set(names))
            if missing:
                raise _refuse(path, _("缺少清单中的文件“%(name)s”") % {"name": missing[0][:100]})
    except (tarfile.TarError, OSError, EOFError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _refuse(path, _("文件已损坏或不是 tar.gz 格式（%(error)s）") % {"error": str(exc)[:200]}) from exc
    return manifest


def database_is_empty() -> bool:
    """No rows in any table a backup holds (migrate alone leaves them all empty)."""
    return not any(model._base_manager.exists() for model in backed_up_models())


def _swap_media(unpacked: Path) -> None:
    """Put the restored files in place of MEDIA_ROOT's, moving the old folder aside first."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=".restore-", dir=root.parent))
    if unpacked.is_dir():
        shutil.copytree(unpacked, incoming, dirs_exist_ok=True)
    old = root.with_name(f".{root.name}-replaced")
    if root.exists():
        shutil.rmtree(old, ignore_errors=True)
        root.replace(old)
    incoming.replace(root)
    shutil.rmtree(old, ignore_errors=True)


def backup_restore(*, path: Path, force: bool = False, actor=None) -> dict:
    """Replace every row and uploaded file with a backup's, after checking all of it; audit the restore.

    Refuses (ValidationError, nothing changed) a file that is not an intact jiqun backup, one made under other
    migrations, or a non-empty database unless `force`.
    """
    path = Path(path)
    if not path.is_file():
        raise _refuse(path, _("文件不存在"))
    with tempfile.TemporaryDirectory() as scratch:
        manifest = _unpack(path, Path(scratch))
        ours = _applied_migrations()
        if manifest.get("migrations") != ours:
            theirs = set(manifest.get("migrations") or [])
            differ = sorted(theirs.symmetric_difference(ours))
            raise _refuse(path, _("备份的数据库结构与本系统不一致（迁移 %(names)s 不同），请使用相同版本的 jiqun 恢复")
                          % {"names": "、".join(differ[:3]) or "?"})
        if not force and not database_is_empty():
            raise _refuse(path, _("当前数据库不是空的；确认用备份覆盖全部现有数据时请加 --force"))
        replaced = AuditEvent.objects.order_by("-id").values("id", "hash").first()
        with transaction.atomic():
            if not database_is_empty():
                if connection.vendor == "postgresql":
                    # Fire the deferred foreign-key checks of earlier writes in this transaction, if any:
                    # PostgreSQL refuses to TRUNCATE a table with pending trigger events.
                    connection.check_constraints()
                call_command("flush", interactive=False, verbosity=0)
            # django-simple-history records an m2m change even in a raw fixture load; the backup has the history.
            with override_settings(SIMPLE_HISTORY_ENABLED=False):
                call_command("loaddata", str(Path(scratch) / DATA), verbosity=0)
            counts = {model._meta.label_lower: model._base_manager.count() for model in backed_up_models()}
            if counts != manifest["counts"]:
                raise _refuse(path, _("载入后的行数与备份清单不符"))
            sha = _sha256(path)
            audit_record(actor=actor, actor_name="" if actor else _operator(), action=AuditAction.IMPORT,
                         object_type="backup", object_id=sha[:16], object_repr=path.name[:200],
                         before={"last_event": replaced}, after={
                             "file": str(path), "sha256": sha, "created_at": manifest.get("created_at"),
                             "rows": sum(counts.values()), "media_files": len(manifest["files"]) - 1})
        _swap_media(Path(scratch) / MEDIA)
    return {"rows": sum(counts.values()), "media_files": len(manifest["files"]) - 1,
            "created_at": manifest.get("created_at")}

