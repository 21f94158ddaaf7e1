"""A report's figures as a ReportRevision stores them (`report.figures` is the latest), and the checks a figure
passes before it is stored.

Each entry is `[本期累计, 上年同期, 说明, revision]`: the numbers as exact decimal text (never float) or null, and
the number of the ReportRevision that last set the entry, which tells where the value came from. A report's
figures are its latest revision's. Code reads entries through `Value` and `revision_changes` and writes them
through `entry()` and `entries_json()`, so the packed layout lives in this module only.
"""

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache

STORABLE_DECIMALS = 4
STORABLE_DIGITS = 16  # digits before the point: a figure in 元 of a 千亿 cluster still fits
NOTE_LENGTH = 500


@dataclass(frozen=True)
class Value:
    code: str
    current: Decimal | None
    previous: Decimal | None
    note: str
    revision: int


def _number(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def value_of(code: str, stored: list) -> Value:
    current, previous, note, revision = stored
    return Value(code, _number(current), _number(previous), note, revision)


def values_of(figures: dict) -> dict[str, Value]:
    """Every stored entry of a report's figures, by indicator code."""
    return {code: value_of(code, stored) for code, stored in figures.items()}


class Values:
    """A report's stored figures read as `Value`s by indicator code, each made when first asked for: the
    approved-figures selector loads every entry of hundreds of reports, and a national evaluation run reads
    only the current value and revision of most of them."""

    __slots__ = ("_figures", "_made")

    def __init__(self, figures: dict) -> None:
        self._figures = figures
        self._made: dict[str, Value] = {}

    def get(self, code: str) -> Value | None:
        """The entry of `code` as a Value, or None when the figures have none."""
        value = self._made.get(code)
        if value is None:
            stored = self._figures.get(code)
            if stored is None:
                return None
            value = self._made[code] = value_of(code, stored)
        return value

    def current(self, code: str) -> tuple[Decimal | None, int] | None:
        """The entry's 本期累计 and revision, as its Value has them, without making the Value; None when the
        figures have no entry of `code`."""
        stored = self._figures.get(code)
        return None if stored is None else (_number(stored[0]), stored[3])


def current_values(values: "list[Values | None]", code: str) -> tuple[list[Decimal | None], list[int | None]]:
    """`Values.current(code)` of each report's values (None: a report with none to read), as two columns: the
    current value and the revision that set it, both None where there is no value (no report, no entry, or an entry
    without a current value). Read straight from the stored entries: a national evaluation run reads 11,500."""
    currents: list[Decimal | None] = []
    revisions: list[int | None] = []
    for each in values:
        stored = None if each is None else each._figures.get(code)
        if stored is None or stored[0] is None:
            currents.append(None)
            revisions.append(None)
        else:
            currents.append(Decimal(stored[0]))
            revisions.append(stored[3])
    return currents, revisions


def currents_of(figures: dict) -> dict[str, Decimal]:
    """The 本期累计 of every indicator that has one."""
    return {code: Decimal(stored[0]) for code, stored in figures.items() if stored[0] is not None}


def entry(current: str | None, previous: str | None, note: str, revision: int) -> list:
    return [current, previous, note, revision]


_json_text = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: json.dumps(…, ensure_ascii=False) makes one a call
_json_key = cache(_json_text)  # an indicator code as a JSON string, made once per code


def changed_entry(old: list | None, current: str | None, previous: str | None, note: str, revision: int) -> list | None:
    """The entry a write stores, or None when it changes nothing: the same numbers and note as the entry on
    file (which then keeps its revision, so its provenance), or nothing given where there was no entry."""
    if old is None:
        return entry(current, previous, note, revision) if current is not None or previous is not None or note else None
    if same_number(old[0], current) and same_number(old[1], previous) and old[2] == note:
        return None
    return entry(current, previous, note, revision)


def _json_number(text: str | None) -> str:
    return "null" if text is None else f'"{text}"'


def entries_json(values: list[tuple[str, str | None, str | None]], note: str, revision: int) -> str:
    """The JSON text of figures made of new entries [(code, current, previous)] that share a note and a revision.

    Written directly rather than through json.dumps, in a third of its time (an import writes 100,000 of these):
    the numbers are decimal text that `storable` and `number_text` made (digits, a sign, a point), which JSON
    needs no escaping for; codes and the note go through the JSON encoder. `json.loads` of the result equals
    the dict of `entry()` lists (a test holds the two together).
    """
    tail = "," + (_json_text(note) if note else '""') + f",{revision}]"
    return "{" + ",".join(
        f'{_json_key(code)}:["{current}","{previous}"{tail}' if current is not None and previous is not None
        else f"{_json_key(code)}:[{_json_number(current)},{_json_number(previous)}{tail}"
        for code, current, previous in values) + "}"


@dataclass(frozen=True)
class Change:
    code: str
    before: Value | None  # None: there was no entry
    after: Value


def revision_changes(revisions) -> dict[int, list[Change]]:
    """What each revision changed, before → after, by revision number: the entries that carry its number,
    against the same entries of the revision before it."""
    result, before = {}, {}
    for revision in sorted(revisions, key=lambda r: r.number):
        result[revision.number] = [
            Change(code, value_of(code, before[code]) if code in before else None, value_of(code, stored))
            for code, stored in sorted(revision.figures.items()) if stored[3] == revision.number]
        before = revision.figures
    return result


def same_number(stored: str | None, text: str | None) -> bool:
    """Whether two stored texts are the same number (5200000 and 5200000.0 are)."""
    if stored is None or text is None:
        return stored is text
    return stored == text or Decimal(stored) == Decimal(text)


def storable(number: Decimal, shown) -> Decimal:
    """The number if the platform can keep it exactly, else ValueError saying why, in Chinese."""
    if not number.is_finite():
        raise ValueError(f"“{shown}”不是数字")
    if number.adjusted() >= STORABLE_DIGITS:
        raise ValueError(f"数值 {shown} 过大，请核对单位")
    if number.as_tuple().exponent < -STORABLE_DECIMALS and number.normalize().as_tuple().exponent < -STORABLE_DECIMALS:
        raise ValueError(f"数值 {shown} 的小数超过 {STORABLE_DECIMALS} 位，请按本列单位保留小数")
    return number


def number_text(number: Decimal | None) -> str | None:
    """A Decimal as the plain text stored: never exponent notation."""
    return None if number is None else format(number, "f")


def to_decimal(raw) -> Decimal | None:
    """A figure given to a service (Decimal, int, text or None) as a Decimal; ValueError if it is not a number."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ValueError(f"“{raw}”不是数字")
    if isinstance(raw, Decimal):
        return raw
    try:
        return Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValueError(f"“{raw}”不是数字") from None
