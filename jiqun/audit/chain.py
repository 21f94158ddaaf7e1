"""The rules of the audit chain, pure: how an event is hashed and what makes a run of events intact.

Rows written before the chain was keyed carry the scheme `sha256` (plain SHA-256 over the previous hash and
the payload); every later row carries `hmac-sha256` (HMAC-SHA256 with a key kept outside the database, over the
previous hash and a payload that includes the row's sequence number). Plain rows may only form the oldest part of
the chain: the first keyed row covers the last plain row's hash, so none of them can be rewritten either.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

GENESIS = "0" * 64
PLAIN = "sha256"
KEYED = "hmac-sha256"
PRUNE_ACTION = "prune"


class ChainEvent(Protocol):
    id: int
    seq: int
    scheme: str
    action: str
    prev_hash: str
    hash: str
    after: Any

    def payload(self) -> str: ...


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head and start as last written outside the database."""

    last_id: int
    last_hash: str
    count: int
    start_prev_hash: str = GENESIS
    start_seq: int = 1
    chain_id: str = ""  # the hash of the chain's very first row: a new chain in the same database differs

    def fields(self) -> dict[str, Any]:
        return {"last_id": self.last_id, "last_hash": self.last_hash, "count": self.count,
                "start_prev_hash": self.start_prev_hash, "start_seq": self.start_seq, "chain_id": self.chain_id}


@dataclass(frozen=True)
class Problem:
    """One thing found broken; `event_id` is None when it is about the chain as a whole."""

    event_id: int | None
    message: str


def keyed_hash(key: bytes, prev_hash: str, payload: str) -> str:
    """Return the HMAC-SHA256 of a keyed row."""
    return hmac.new(key, (prev_hash + payload).encode(), hashlib.sha256).hexdigest()


def plain_hash(prev_hash: str, payload: str) -> str:
    """Return the plain SHA-256 of a row written before the chain was keyed."""
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def event_hash(event: ChainEvent, key: bytes) -> str:
    """Return the hash an event must carry under its scheme."""
    if event.scheme == PLAIN:
        return plain_hash(event.prev_hash, event.payload())
    return keyed_hash(key, event.prev_hash, event.payload())


def sign_checkpoint(key: bytes, database: str, checkpoint: Checkpoint) -> str:
    """Return the HMAC that binds a checkpoint to the key and to one database."""
    text = json.dumps({"database": database, **checkpoint.fields()}, sort_keys=True)
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def verify_chain(events: Iterable[ChainEvent], *, key: bytes, checkpoint: Checkpoint | None) -> list[Problem]:
    """Walk the events in id order and return everything that shows an edit, a fork or a deletion."""
    problems: list[Problem] = []
    start = checkpoint or Checkpoint(last_id=0, last_hash=GENESIS, count=0)
    prev: ChainEvent | None = None
    seen_keyed = False
    prune_starts: set[str] = set()
    head_seen = False
    first_prev_hash: str | None = None
    for event in events:
        if prev is None:
            first_prev_hash = event.prev_hash
            if event.prev_hash == GENESIS:
                if event.seq != 1:
                    problems.append(Problem(event.id, _("链首序号应为 1，实为 %(seq)s") % {"seq": event.seq}))
            elif event.prev_hash != start.start_prev_hash:
                problems.append(Problem(event.id, _(
                    "最早的记录（编号 %(id)s，序号 %(seq)s）之前的记录被删除：它不是链的起点，检查点里也没有相应的清理记录"
                ) % {"id": event.id, "seq": event.seq}))
            elif event.seq != start.start_seq:
                problems.append(Problem(event.id, _("链首序号应为 %(want)s，实为 %(seq)s")
                                        % {"want": start.start_seq, "seq": event.seq}))
        else:
            if event.prev_hash != prev.hash:
                problems.append(Problem(event.id, _(
                    "编号 %(id)s 与上一条记录（编号 %(prev)s）不衔接：其间的记录被删除，或上一条被改动"
                ) % {"id": event.id, "prev": prev.id}))
            elif event.seq != prev.seq + 1:
                problems.append(Problem(event.id, _("编号 %(id)s 的序号 %(seq)s 不接续上一条的序号 %(prev)s")
                                        % {"id": event.id, "seq": event.seq, "prev": prev.seq}))
        if event.scheme == KEYED:
            seen_keyed = True
        elif event.scheme == PLAIN and seen_keyed:
            problems.append(Problem(event.id, _("编号 %(id)s 在带密钥的记录之后却标为旧式哈希：记录被改动")
                                    % {"id": event.id}))
        elif event.scheme not in (PLAIN, KEYED):
            problems.append(Problem(event.id, _("编号 %(id)s 的哈希方式“%(scheme)s”未知")
                                    % {"id": event.id, "scheme": event.scheme}))
        if event_hash(event, key) != event.hash:
            problems.append(Problem(event.id, _("编号 %(id)s 的内容被改动（哈希不符）") % {"id": event.id}))
        if event.action == PRUNE_ACTION and isinstance(event.after, dict):
            prune_starts.add(str(event.after.get("first_prev_hash", "")))
        if checkpoint is not None and event.id == checkpoint.last_id:
            head_seen = True
            if event.hash != checkpoint.last_hash or event.seq != checkpoint.count:
                problems.append(Problem(event.id, _(
                    "编号 %(id)s 与检查点不符：检查点记的是第 %(count)s 条、另一个哈希值，链被重算过"
                ) % {"id": event.id, "count": checkpoint.count}))
        prev = event
    if first_prev_hash not in (None, GENESIS) and first_prev_hash == start.start_prev_hash:
        if first_prev_hash not in prune_starts:
            problems.append(Problem(None, _("链首来自一次清理，但日志里没有这次清理的记录")))
    if checkpoint is not None and not head_seen:
        if prev is None or prev.id < checkpoint.last_id:
            problems.append(Problem(None, _(
                "最新的记录被删除：检查点记到第 %(count)s 条（编号 %(id)s），日志只到%(last)s"
            ) % {"count": checkpoint.count, "id": checkpoint.last_id,
                 "last": _("第 %(seq)s 条（编号 %(id)s）") % {"seq": prev.seq, "id": prev.id} if prev else _("空表")}))
        else:
            problems.append(Problem(None, _("检查点记的编号 %(id)s（第 %(count)s 条）在日志中不存在：记录被删除")
                                    % {"id": checkpoint.last_id, "count": checkpoint.count}))
    if checkpoint is None and seen_keyed:
        problems.append(Problem(None, _("没有检查点：无法确认最新的记录未被删除")))
    return problems
