"""The packed figures of a report: the JSON text the importer writes directly is the layout every reader expects."""

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jiqun.monitoring.importer.cells import float_text
from jiqun.monitoring.values import (
    Values,
    changed_entry,
    entries_json,
    entry,
    number_text,
    same_number,
    storable,
    to_decimal,
    values_of,
)

CODES = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=12)
NUMBERS = st.none() | st.decimals(allow_nan=False, allow_infinity=False, places=4,
                                  min_value=Decimal("-1e15"), max_value=Decimal("1e15")).map(number_text)


@given(st.lists(st.tuples(CODES, NUMBERS, NUMBERS), max_size=12, unique_by=lambda v: v[0]),
       st.text(max_size=30), st.integers(min_value=1, max_value=10**6))
def test_the_written_json_is_the_layout_entry_makes(values, note, revision):
    assert json.loads(entries_json(values, note, revision)) == {
        code: entry(current, previous, note, revision) for code, current, previous in values}


def test_stored_entries_read_back_as_exact_decimals():
    figures = json.loads(entries_json([("revenue", "5200000.5", None)], "口径调整", 3))
    value = values_of(figures)["revenue"]
    assert (value.current, value.previous, value.note, value.revision) == (Decimal("5200000.5"), None, "口径调整", 3)


@given(st.lists(st.tuples(CODES, NUMBERS, NUMBERS), max_size=12, unique_by=lambda v: v[0]), CODES,
       st.integers(min_value=1, max_value=10**6))
def test_lazy_values_read_as_values_of_reads(values, absent, revision):
    figures = json.loads(entries_json(values, "", revision))
    lazy, eager = Values(figures), values_of(figures)

    for code in [*figures, absent]:
        assert lazy.get(code) == eager.get(code) and lazy.get(code) is lazy.get(code)
        value = eager.get(code)
        assert lazy.current(code) == (None if value is None else (value.current, value.revision))


def test_the_same_number_written_two_ways_is_unchanged():
    assert same_number("5200000", "5200000.0000") and same_number(None, None)
    assert not same_number("5200000", None) and not same_number("1", "1.0001")


@pytest.mark.parametrize(("raw", "words"), [
    (Decimal("1e16"), "过大"), (Decimal("1.23456"), "小数超过 4 位"), (Decimal("NaN"), "不是数字")])
def test_a_number_the_platform_cannot_keep_exactly_is_refused_with_the_reason(raw, words):
    with pytest.raises(ValueError, match=words):
        storable(raw, raw)


def test_given_figures_are_read_as_decimals_and_words_are_refused():
    assert to_decimal(" 12.50 ") == Decimal("12.50") and to_decimal("") is None and to_decimal(7) == 7
    with pytest.raises(ValueError, match="不是数字"):
        to_decimal("五百亿")


def test_whole_spreadsheet_numbers_are_written_without_a_point_or_an_exponent():
    assert [float_text(v) for v in (5200000.0, 0.1 + 0.2, 1e15, -0.0, 1234.5)] == [
        "5200000", "0.3", "1000000000000000", "0", "1234.5"]


def test_a_write_stores_an_entry_only_where_it_changes_something():
    on_file = entry("5200000", "4800000", "", 1)
    assert changed_entry(on_file, "5200000.0", "4800000", "", 2) is None  # the same number, written otherwise
    assert changed_entry(on_file, "5300000", "4800000", "", 2) == ["5300000", "4800000", "", 2]
    assert changed_entry(on_file, "5200000", "4800000", "口径调整", 2) == ["5200000", "4800000", "口径调整", 2]
    assert changed_entry(None, None, None, "", 2) is None and changed_entry(None, "1", None, "", 2) == ["1", None, "", 2]
