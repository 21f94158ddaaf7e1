"""Writing to and checking the audit log. `audit_record` is the one way in: every service that changes data,
every denial, export and login calls it, inside the caller's transaction."""

import datetime
import json
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jiqun.audit.chain import GENESIS, Checkpoint, Problem, keyed_hash, verify_chain
from jiqun.audit.models import AuditAction, AuditEvent, HashScheme
from jiqun.audit.store import (
    CheckpointError,
    audit_key,
    head_lock,
    read_checkpoint,
    write_checkpoint,
)

# Any constant will do: it names the one advisory lock that serialises appends on PostgreSQL.
CHAIN_LOCK_ID = 0x6A6971756E

# Set by the audit middleware for the length of a request: the actions recorded during it, so the
# middleware does not log an export a second time when the view has already recorded it.
request_actions: ContextVar[list[str] | None] = ContextVar("request_actions", default=None)


def snapshot(obj, fields: list[str] | None = None) -> dict[str, Any]:
    """The plain values of a model instance, many-to-many fields as sorted key lists."""
    data = model_to_dict(obj, fields=fields)
    for key, value in list(data.items()):
        if isinstance(value, list):
            data[key] = sorted(str(getattr(item, "pk", item)) for item in value)
        elif hasattr(value, "pk"):
            data[key] = value.pk
    return data


def _lock_chain() -> AuditEvent | None:
    """Take the chain's write lock and return its last event.

    On PostgreSQL a row lock on the last event is not enough: a second writer waiting on it would, once
    it gets it, still see the old last row and fork the chain. A transaction-level advisory lock taken
    before the read makes that read see every committed append. SQLite serialises writers itself
    (IMMEDIATE transactions).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_ID])
        return AuditEvent.objects.order_by("-id").only("hash", "seq").first()
    return AuditEvent.objects.select_for_update().order_by("-id").only("hash", "seq").first()


_CONTROL = {code: "\ufffd" for code in (*range(0x20), 0x7F)}


def _printable(text: str) -> str:
    """The text with each control character shown as U+FFFD."""
    return text.translate(_CONTROL)


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEvent:
    """Append one event to the keyed chain; the checkpoint outside the database follows on commit."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        # An entry reads the same whatever language its actor's UI was in (a period is 2026年1-6月, not Jan–Jun).
        with translation.override(settings.LANGUAGE_CODE):
            object_repr = object_repr or str(obj)
    # A denied URL's key or path is what the client sent: a NUL in it would be refused by PostgreSQL's text type.
    object_type, object_id, object_repr, actor_name = (_printable(str(v)) for v in (
        object_type, object_id, object_repr, actor_name))
    # Store exactly what a reload gives back (Decimals and dates as text), so the hash verifies later.
    before, after = (json.loads(json.dumps(v, cls=DjangoJSONEncoder)) if v is not None else None for v in (before, after))
    with transaction.atomic():
        last = _lock_chain()
        event = AuditEvent(
            at=timezone.now(),
            actor=actor if getattr(actor, "pk", None) else None,
            actor_name=(actor_name or getattr(actor, "username", "") or "")[:150],
            action=action,
            object_type=object_type[:50],
            object_id=str(object_id)[:64],
            object_repr=object_repr[:200],
            before=before,
            after=after,
            ip=ip,
            seq=last.seq + 1 if last else 1,
            scheme=HashScheme.KEYED,
            prev_hash=last.hash if last else GENESIS,
        )
        event.hash = keyed_hash(audit_key(), event.prev_hash, event.payload())
        event.save()
        transaction.on_commit(audit_checkpoint_refresh, robust=True)
    actions = request_actions.get()
    if actions is not None:
        actions.append(action)
    return event


def audit_checkpoint_refresh(*, start: tuple[str, int] | None = None) -> None:
    """Write the committed head of the chain to the checkpoint file, unless that would hide a deletion.

    It runs after every append's commit. It reads the committed tail rather than trusting the appender's
    own row, so commits that finish out of order still leave the newest head. It keeps the old checkpoint
    when the head it names has gone from the table (rows were deleted: `verify` must go on saying so);
    `start` is given by a prune, which moves the chain's start legitimately.
    """
    with head_lock():
        try:
            old, _entry = read_checkpoint()
        except CheckpointError:
            return  # a forged or unreadable checkpoint is evidence; `verify` reports it
        tail = AuditEvent.objects.order_by("-id").only("id", "hash", "seq").first()
        if tail is None:
            return
        first = AuditEvent.objects.filter(seq=1, prev_hash=GENESIS).only("hash").first()
        replaced = None
        if old is None:
            start_prev, start_seq, chain_id = GENESIS, 1, first.hash if first else ""
        elif first is not None and first.hash != old.chain_id and start is None:
            # A new chain in this database (recreated or restored empty): keep a note of the old head.
            replaced = {**old.fields(), "replaced_at": timezone.now().isoformat()}
            start_prev, start_seq, chain_id = GENESIS, 1, first.hash
        else:
            start_prev, start_seq = start or (old.start_prev_hash, old.start_seq)
            chain_id = old.chain_id
            moved = (start_prev, start_seq) != (old.start_prev_hash, old.start_seq)
            if tail.seq <= old.count and not moved:
                return  # a later commit already wrote a newer head, or the newest rows are gone
            head_expected = old.count >= start_seq
            if head_expected and not AuditEvent.objects.filter(pk=old.last_id, hash=old.last_hash).exists():
                return  # the checkpointed head was deleted or changed: keep the evidence
        write_checkpoint(Checkpoint(last_id=tail.pk, last_hash=tail.hash, count=tail.seq, start_prev_hash=start_prev,
                                    start_seq=start_seq, chain_id=chain_id), replaced=replaced)


@dataclass
class VerifyReport:
    """What `audit_verify_report` found: the problems (empty when intact), notes, and how much it read."""

    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    events: int = 0
    checkpoint: Checkpoint | None = None

    @property
    def intact(self) -> bool:
        return not self.problems


class _Counting:
    """Count the events as the verifier walks them, without holding them all in memory."""

    def __init__(self, queryset) -> None:
        self.queryset = queryset
        self.n = 0

    def __iter__(self):
        for event in self.queryset.iterator(chunk_size=2000):
            self.n += 1
            yield event


def audit_verify_report() -> VerifyReport:
    """Check every event against the key and the table against the checkpoint outside it."""
    report = VerifyReport()
    entry: dict[str, Any] = {}
    try:
        report.checkpoint, entry = read_checkpoint()
    except CheckpointError as exc:
        report.problems.append(Problem(None, str(exc)))
    events = _Counting(AuditEvent.objects.order_by("id"))
    report.problems += verify_chain(events, key=audit_key(), checkpoint=report.checkpoint)
    report.events = events.n
    for old in entry.get("replaced", []):
        report.notes.append(_("%(at)s 本数据库的日志链重新开始；此前的链有 %(count)s 条，最后一条编号 %(id)s")
                            % {"at": old.get("replaced_at", "?"), "count": old.get("count"), "id": old.get("last_id")})
    return report


def audit_verify() -> list[Problem]:
    """Return what is broken in the audit log (empty when intact)."""
    return audit_verify_report().problems


def retention_limit() -> datetime.datetime:
    """Return the moment before which events may be pruned."""
    return timezone.now() - datetime.timedelta(days=settings.JIQUN_AUDIT_RETENTION_DAYS)


def audit_prune(*, actor, before: datetime.date, actor_name: str = "") -> AuditEvent:
    """Delete the events older than `before` and record the prune, which becomes the chain's new start."""
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    limit = retention_limit()
    if cutoff > limit:
        raise ValidationError({"before": [_(
            "不能清理 %(date)s 之前的日志：保留期为 %(days)s 天，只能清理 %(limit)s 之前的记录"
        ) % {"date": before.isoformat(), "days": settings.JIQUN_AUDIT_RETENTION_DAYS,
             "limit": timezone.localdate(limit).isoformat()}]})
    with transaction.atomic():
        _lock_chain()
        # A broken chain is evidence: pruning it would delete the rows that show the break (an edited `at` would
        # even make young rows look old), so nothing is pruned until `jiqun audit verify` passes.
        problems = audit_verify()
        if problems:
            raise ValidationError({"before": [_(
                "审计日志链校验未通过（%(count)s 处问题，首个：%(first)s），不能清理；请先运行 jiqun audit verify 查明原因"
            ) % {"count": len(problems), "first": problems[0].message}]})
        first_kept = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").only("id").first()
        doomed = AuditEvent.objects.filter(id__lt=first_kept.pk) if first_kept else AuditEvent.objects.all()
        last_doomed = doomed.order_by("-id").only("id", "hash", "seq").first()
        if last_doomed is None:
            raise ValidationError({"before": [_("%(date)s 之前没有可清理的日志") % {"date": before.isoformat()}]})
        oldest = doomed.order_by("id").only("id", "at").first()
        count = doomed.count()
        doomed.delete()
        new_start = (last_doomed.hash, last_doomed.seq + 1)
        event = audit_record(
            actor=actor, actor_name=actor_name, action=AuditAction.PRUNE, object_type="audit.auditevent",
            object_repr=_("清理 %(date)s 之前的日志 %(count)s 条") % {"date": before.isoformat(), "count": count},
            after={"before": before.isoformat(), "deleted": count, "first_deleted_id": oldest.pk,
                   "last_deleted_id": last_doomed.pk, "first_prev_hash": new_start[0], "first_seq": new_start[1],
                   "retention_days": settings.JIQUN_AUDIT_RETENTION_DAYS},
        )
        transaction.on_commit(partial(audit_checkpoint_refresh, start=new_start), robust=True)
    return event
