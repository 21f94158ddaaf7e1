"""The pure chain rules under every draw: any single tampering of any chain is found; an intact chain passes."""

import dataclasses
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.audit.chain import GENESIS, KEYED, PLAIN, Checkpoint, keyed_hash, plain_hash, verify_chain

KEY = b"k" * 32
WRONG_KEY = b"w" * 32


@dataclasses.dataclass
class Row:
    """A stand-in for an audit row with just what the rules read."""

    id: int
    seq: int
    text: str
    prev_hash: str = ""
    hash: str = ""
    scheme: str = KEYED
    action: str = "update"
    after: Any = None

    def payload(self) -> str:
        data: dict[str, Any] = {"text": self.text, "action": self.action, "after": self.after}
        if self.scheme != PLAIN:
            data["seq"] = self.seq
        return json.dumps(data, sort_keys=True)


def build(texts: list[str], *, plain_prefix: int = 0) -> list[Row]:
    """Chain rows as `audit_record` does, the first `plain_prefix` of them as legacy plain rows."""
    rows, prev = [], GENESIS
    for i, text in enumerate(texts):
        row = Row(id=i + 10, seq=i + 1, text=text, prev_hash=prev, scheme=PLAIN if i < plain_prefix else KEYED)
        row.hash = plain_hash(prev, row.payload()) if row.scheme == PLAIN else keyed_hash(KEY, prev, row.payload())
        rows.append(row)
        prev = row.hash
    return rows


def head_of(rows: list[Row]) -> Checkpoint:
    return Checkpoint(last_id=rows[-1].id, last_hash=rows[-1].hash, count=rows[-1].seq)


def rehash(rows: list[Row], start: int, *, key: bytes | None) -> None:
    """Recompute the chain from `start` on: plain SHA-256 when no key, else HMAC with the given (wrong) key."""
    prev = rows[start - 1].hash if start else GENESIS
    for row in rows[start:]:
        row.prev_hash = prev
        row.hash = keyed_hash(key, prev, row.payload()) if key else plain_hash(prev, row.payload())
        prev = row.hash


chains = st.tuples(st.lists(st.text(max_size=8), min_size=2, max_size=25), st.integers(min_value=0, max_value=25))
ATTACKS = ["edit", "edit_rehash_plain", "edit_rehash_wrong_key", "to_plain_rehash", "delete_one", "delete_tail",
           "delete_head", "swap", "edit_seq"]


@given(chains)
@settings(max_examples=200, deadline=None)
def test_an_untouched_chain_always_verifies(drawn):
    texts, plain = drawn
    rows = build(texts, plain_prefix=min(plain, len(texts)))
    assert verify_chain(rows, key=KEY, checkpoint=head_of(rows)) == []


@given(chains, st.sampled_from(ATTACKS), st.data())
@settings(max_examples=600, deadline=None)
def test_every_single_tampering_is_detected(drawn, attack, data):
    texts, plain = drawn
    rows = build(texts, plain_prefix=min(plain, len(texts)))
    checkpoint = head_of(rows)
    n = len(rows)
    k = data.draw(st.integers(min_value=0, max_value=n - 1), label="row")
    if attack == "edit":
        rows[k].text += "X"
    elif attack == "edit_rehash_plain":
        rows[k].text += "X"
        rehash(rows, k, key=None)
    elif attack == "edit_rehash_wrong_key":
        rows[k].text += "X"
        rehash(rows, k, key=WRONG_KEY)
    elif attack == "to_plain_rehash":
        for row in rows[k:]:
            row.scheme = PLAIN
        rows[k].text += "X"
        rehash(rows, k, key=None)
    elif attack == "delete_one":
        del rows[k]
    elif attack == "delete_tail":
        del rows[max(k, 1):]  # at least the newest row goes
    elif attack == "delete_head":
        del rows[:max(k, 1)]  # at least the oldest row goes
    elif attack == "swap":
        j = data.draw(st.integers(min_value=0, max_value=n - 1).filter(lambda j: rows[j].text != rows[k].text),
                      label="other") if len({r.text for r in rows}) > 1 else k
        if j == k:
            rows[k].text += "X"
        else:
            rows[k].text, rows[j].text = rows[j].text, rows[k].text
    elif attack == "edit_seq":
        rows[k].seq += 1
    assert verify_chain(rows, key=KEY, checkpoint=checkpoint) != [], attack


@given(st.lists(st.text(max_size=8), min_size=3, max_size=25), st.data())
@settings(max_examples=200, deadline=None)
def test_a_recorded_prune_moves_the_start_lawfully(texts, data):
    rows = build(texts)
    cut = data.draw(st.integers(min_value=1, max_value=len(rows) - 1))
    start = Checkpoint(last_id=0, last_hash="", count=0, start_prev_hash=rows[cut - 1].hash, start_seq=cut + 1)
    kept = rows[cut:]
    prune = Row(id=kept[-1].id + 1, seq=kept[-1].seq + 1, text="prune", prev_hash=kept[-1].hash, action="prune",
                after={"first_prev_hash": rows[cut - 1].hash})
    prune.hash = keyed_hash(KEY, prune.prev_hash, prune.payload())
    kept.append(prune)
    checkpoint = dataclasses.replace(start, last_id=prune.id, last_hash=prune.hash, count=prune.seq)
    assert verify_chain(kept, key=KEY, checkpoint=checkpoint) == []
    # Without the prune record in the log, the same start is refused.
    assert verify_chain(kept[:-1], key=KEY, checkpoint=dataclasses.replace(
        start, last_id=kept[-2].id, last_hash=kept[-2].hash, count=kept[-2].seq)) != []
