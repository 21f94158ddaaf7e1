"""What the audit chain keeps outside the database: its key and the checkpoint of its head.

The key comes from `JIQUN_AUDIT_KEY`, else from the key file (created 0600 on first use). The checkpoint file
holds, per database, the last event's id, hash and sequence number and where the chain starts after a prune,
signed with the key. It is replaced atomically (temporary file, fsync, rename) under a file lock, so a reader
never sees half a file and two processes never lose each other's update.
"""

import contextlib
import fcntl
import json
import os
import secrets
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from jiqun.audit.chain import Checkpoint, sign_checkpoint

MIN_RETENTION_DAYS = 180
MIN_KEY_LENGTH = 32
REPLACED_KEPT = 20


def check_audit_settings() -> None:
    """Refuse to start with a retention below the legal minimum or a key too short to resist guessing."""
    days = settings.JIQUN_AUDIT_RETENTION_DAYS
    if days < MIN_RETENTION_DAYS:
        raise ImproperlyConfigured(
            _("JIQUN_AUDIT_RETENTION_DAYS 为 %(days)s 天，低于等保要求的至少 %(min)s 天，系统拒绝启动")
            % {"days": days, "min": MIN_RETENTION_DAYS})
    if settings.JIQUN_AUDIT_KEY and len(settings.JIQUN_AUDIT_KEY) < MIN_KEY_LENGTH:
        raise ImproperlyConfigured(
            _("JIQUN_AUDIT_KEY 只有 %(n)s 个字符，至少需要 %(min)s 个（例如 64 位十六进制随机数）")
            % {"n": len(settings.JIQUN_AUDIT_KEY), "min": MIN_KEY_LENGTH})


def audit_key() -> bytes:
    """Return the chain key: the environment's, else the key file's, creating the file on first use."""
    return _key(settings.JIQUN_AUDIT_KEY, str(settings.JIQUN_AUDIT_KEY_FILE))


@lru_cache(maxsize=8)
def _key(value: str, path: str) -> bytes:
    if value:
        return value.encode()
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of two processes starting at once, one creates the key and the other reads it.
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if file.stat().st_mode & 0o077:
            raise ImproperlyConfigured(_("审计密钥文件 %(path)s 的权限过宽：只能由运行系统的账号读写（chmod 600）")
                                       % {"path": file}) from None
        key = file.read_text().strip()
        if len(key) < MIN_KEY_LENGTH:
            raise ImproperlyConfigured(_("审计密钥文件 %(path)s 内容过短或为空") % {"path": file}) from None
        return key.encode()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
        out.flush()
        os.fsync(out.fileno())
    return key.encode()


def database_identity() -> str:
    """Name the database a checkpoint belongs to, so a test database never overwrites the real one's."""
    return f"{connection.vendor}:{connection.settings_dict['NAME']}"


def _head_path() -> Path:
    return Path(settings.JIQUN_AUDIT_HEAD_FILE)


@contextlib.contextmanager
def head_lock() -> Iterator[None]:
    """Hold an exclusive lock on the checkpoint file while reading and replacing it."""
    path = _head_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read_all() -> dict[str, Any]:
    try:
        data = json.loads(_head_path().read_text())
    except FileNotFoundError:
        return {"version": 1, "heads": {}}
    except (ValueError, OSError) as exc:
        raise CheckpointError(_("检查点文件 %(path)s 无法读取：%(error)s") % {"path": _head_path(), "error": exc}) from exc
    if not isinstance(data, dict) or not isinstance(data.get("heads"), dict):
        raise CheckpointError(_("检查点文件 %(path)s 格式不对") % {"path": _head_path()})
    return data


class CheckpointError(Exception):
    """The checkpoint file exists but cannot be trusted or read."""


def read_checkpoint() -> tuple[Checkpoint | None, dict[str, Any]]:
    """Return this database's checkpoint (None when there is none) and its raw entry; raise if forged."""
    entry = _read_all()["heads"].get(database_identity())
    if entry is None:
        return None, {}
    try:
        checkpoint = Checkpoint(last_id=int(entry["last_id"]), last_hash=str(entry["last_hash"]),
                                count=int(entry["count"]), start_prev_hash=str(entry["start_prev_hash"]),
                                start_seq=int(entry["start_seq"]), chain_id=str(entry["chain_id"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(_("检查点缺少字段或字段无效：%(error)s") % {"error": exc}) from exc
    if not secrets.compare_digest(str(entry.get("signature", "")),
                                  sign_checkpoint(audit_key(), database_identity(), checkpoint)):
        raise CheckpointError(_("检查点的签名不符：检查点文件被改动，或不是用本系统的审计密钥写的"))
    return checkpoint, entry


def write_checkpoint(checkpoint: Checkpoint, *, replaced: dict[str, Any] | None = None) -> None:
    """Sign and store this database's checkpoint; the caller holds `head_lock`."""
    data = _read_all()
    identity = database_identity()
    entry: dict[str, Any] = {**checkpoint.fields(), "written_at": timezone.now().isoformat(),
                             "signature": sign_checkpoint(audit_key(), identity, checkpoint)}
    history = list(data["heads"].get(identity, {}).get("replaced", []))
    if replaced:
        history = [*history, replaced][-REPLACED_KEPT:]
    if history:
        entry["replaced"] = history
    data["heads"][identity] = entry
    path = _head_path()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=True)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
