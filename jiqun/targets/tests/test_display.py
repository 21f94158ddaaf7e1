"""How target figures read: 百分点 paces for rates, no negative gap for a met target, whole counts, parameters in
Chinese. Hand-computed cases for each rule, then the demo's pages, export and command line."""

import datetime
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jiqun.targets import progress as P
from jiqun.targets.display import row_text
from jiqun.targets.params import phrase, reader_description
from jiqun.targets.selectors import target_rows

D = Decimal
END_2020, END_2025 = datetime.date(2020, 12, 31), datetime.date(2025, 12, 31)
AS_OF = datetime.date(2025, 9, 30)


def share_goal(**kwargs) -> P.Goal:
    return P.Goal(value=D(60), comparator=">=", start=END_2020, due=END_2025, linear=True,
                  baseline=P.Point(END_2020, D(40), "2020年"), **kwargs)


# --- 百分点: a change of a rate --------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["%", "百分点"])
def test_a_share_rising_from_40_to_60_in_5_years_needs_4_points_a_year(unit):
    # (60 − 40) ÷ 5 years = 4 points a year; last year it rose from 38 to 40: 2 points.
    result = P.assess(share_goal(), as_of=datetime.date(2021, 3, 31), current=P.Point(END_2020, D(40)),
                      trend=(P.Point(datetime.date(2019, 12, 31), D(38)), P.Point(END_2020, D(40))))
    terms = P.growth_terms(compound=result.compound, unit=unit, count=False)
    assert terms == P.POINTS
    assert P.pace_text(result.required, terms=terms, unit=unit, required=True) == "+4.0个百分点/年"
    assert P.pace_text(result.actual, terms=terms, unit=unit) == "+2.0个百分点/年"


def test_an_amount_still_grows_by_a_yearly_rate():
    # 100 → 121 in 2 years: (121 ÷ 100)^(1/2) − 1 = 10%.
    terms = P.growth_terms(compound=True, unit="亿元", count=False)
    assert P.pace_text(P.compound_rate(D(100), D(121), D(2)), terms=terms, unit="亿元") == "+10.0%/年"


def test_a_pace_under_a_year_says_it_is_for_the_rest_of_the_period():
    assert P.pace_text(D("1.5"), terms=P.POINTS, unit="%", rest=True) == "+1.5个百分点（剩余期内）"


# --- 与序时差 of a met target ---------------------------------------------------------------------

def test_a_met_target_with_a_baseline_above_it_shows_no_negative_gap():
    # ≥ 50 from a baseline of 55 (2020), 52 at end-2024: progress (52 − 55) ÷ (50 − 55) = 60%, elapsed 4/5 = 80%:
    # −20 by the arithmetic, yet the target is met.
    goal = P.Goal(value=D(50), comparator=">=", start=END_2020, due=END_2025,
                  baseline=P.Point(END_2020, D(55), "2020年"))
    result = P.assess(goal, as_of=AS_OF, current=P.Point(datetime.date(2024, 12, 31), D(52)))
    assert result.status == P.ACHIEVED and result.progress == D(60) and result.elapsed == D(80)
    assert result.gap is None
    assert P.gap_text(result) == "—（已达到目标，不计落后序时）"


def test_a_target_about_met_at_its_year_end_is_not_behind():
    # 约 100, 96 at the target year's end: within 5%, met; attainment 96% against elapsed 100% would be −4.
    goal = P.Goal(value=D(100), comparator="≈", start=END_2020, due=END_2025)
    result = P.assess(goal, as_of=datetime.date(2026, 3, 31), current=P.Point(END_2025, D(96)))
    assert result.status == P.ACHIEVED and result.attainment == D(96)
    assert result.gap is None and not P.gap_text(result).startswith("-")


def test_a_target_met_early_shows_how_far_ahead_it_is():
    # 120 of ≥ 100 at end-2022: attainment 120%, elapsed 2/5 = 40%: +80 points ahead.
    goal = P.Goal(value=D(100), comparator=">=", start=END_2020, due=END_2025)
    result = P.assess(goal, as_of=AS_OF, current=P.Point(datetime.date(2022, 12, 31), D(120)))
    assert result.gap == D(80) and P.gap_text(result) == "+80.0（超序时）"


def test_a_target_not_met_still_shows_how_far_behind_it_is():
    # 40 of ≥ 100 at end-2023: attainment 40%, elapsed 3/5 = 60%: 20 points behind.
    goal = P.Goal(value=D(100), comparator=">=", start=END_2020, due=END_2025)
    result = P.assess(goal, as_of=AS_OF, current=P.Point(datetime.date(2023, 12, 31), D(40)))
    assert result.status != P.ACHIEVED and P.gap_text(result) == "-20.0"


amounts = st.decimals(min_value=1, max_value=10000, places=2)
days = st.dates(min_value=datetime.date(2018, 1, 1), max_value=datetime.date(2030, 12, 31))


@given(goal_value=amounts, current=amounts, base=st.none() | amounts, comparator=st.sampled_from([">=", "<=", "≈"]),
       at=days, linear=st.booleans())
def test_a_met_target_never_shows_a_negative_gap(goal_value, current, base, comparator, at, linear):
    baseline = P.Point(END_2020, base) if base is not None else None
    goal = P.Goal(value=goal_value, comparator=comparator, start=END_2020, due=END_2025, linear=linear,
                  baseline=baseline)
    result = P.assess(goal, as_of=max(at, END_2020), current=P.Point(max(at, END_2020), current))
    if result.status == P.ACHIEVED:
        assert result.gap is None or result.gap >= 0
        assert not P.gap_text(result).startswith("-")


# --- counts -------------------------------------------------------------------------------------

def test_a_count_reads_as_a_whole_number():
    assert P.figure_text(D("12.00"), count=True) == "12"
    assert P.figure_text(D("1234.00"), count=True) == "1,234"
    assert P.figure_text(D("12.5"), count=False) == "12.50"


def test_a_required_count_pace_is_rounded_up_to_whole_units():
    # 12 more 家 in 5 years: 2.4 a year, so 3 a year are needed; an actual pace of 2 reads 2.
    assert P.pace_text(D("2.4"), terms=P.COUNT, unit="家", required=True) == "+3家/年"
    assert P.pace_text(D(2), terms=P.COUNT, unit="家") == "+2家/年"
    assert P.pace_text(D("1.25"), terms=P.COUNT, unit="个") == "+1.3个/年"


# --- parameters ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("params", "words"), [
    ({"tier": "world", "kind": "advanced-manufacturing"}, "世界级先进制造业集群"),
    ({"threshold": 300, "unit": "亿元", "measure": "operating_revenue"}, "营业收入300亿元及以上"),
    ({"threshold": 500, "below": 1000, "unit": "亿元", "cluster_tier": "national"},
     "只计国家级集群，主营业务收入500亿元及以上、不足1000亿元"),
    ({"level": "provincial_or_above"}, "省级及以上"),
    ({"kind": "innovation_community"}, "创新创业共同体"),
    ({"honour": "single_champion", "level": "national"}, "国家级单项冠军"),
    ({"level": "national", "kind": "smart_factory"}, "国家级智能工厂"),
    ({"min_investment": 30, "unit": "亿元"}, "计划总投资30亿元及以上"),
    ({"tier": "provincial", "kind": "strategic-emerging", "since": 2020}, "省级战略性新兴产业集群，2020年起新增"),
    ({"kind": "no_such_kind"}, "（未识别的条件）"),
    ({}, ""),
])
def test_parameters_read_as_a_chinese_phrase(params, words):
    kinds = {"advanced-manufacturing": "先进制造业集群", "strategic-emerging": "战略性新兴产业集群"}
    assert phrase(params, kinds=kinds, measures={"operating_revenue": "营业收入"}) == words


def test_a_description_written_in_parameter_codes_is_not_shown():
    assert reader_description("可按层级（tier）和集群类别（kind）筛选。") == ""
    assert reader_description("荣誉取world_class世界一流") == ""
    assert reader_description("集群内规模以上工业企业的主营业务收入。") == "集群内规模以上工业企业的主营业务收入。"


# --- the demo: pages, export, command line ------------------------------------------------------

@pytest.mark.django_db
def test_every_demo_row_reads_by_the_rules():
    rows = target_rows(None, as_of=AS_OF)
    counts = [r for r in rows if row_text(r).count]
    rates = [r for r in rows if r.target.unit in P.POINT_UNITS]
    assert counts and rates
    for row in counts:
        text = row_text(row)
        assert "." not in text.current + text.forecast + text.baseline + text.goal, (row.target, text)
    for row in rows:
        text = row_text(row)
        if row.target.unit in P.POINT_UNITS:
            assert "%/年" not in text.required + text.actual, (row.target, text)
        if row.result.status == P.ACHIEVED:
            assert not text.gap.startswith("-"), (row.target, text)
        assert "{'" not in text.params and "E+" not in text.goal


@pytest.mark.django_db
def test_the_target_page_names_its_parameters_in_chinese(as_province):
    from jiqun.programmes.models import Target

    target = Target.objects.get(programme__code="SD-2023-185", code="T01")
    page = as_province.get(f"/targets/{target.pk}/?as_of=2025-09-30").content.decode()
    assert "世界级先进制造业集群" in page and "{'" not in page and "advanced-manufacturing" not in page


@pytest.mark.django_db
def test_the_export_and_the_command_line_read_like_the_page(as_province):
    response = as_province.get("/targets/programme/JN-2020-231/export.xlsx?as_of=2025-09-30")
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_name("目标进度")
    rows = sheet.to_python()
    header = rows[3]
    t01 = next(r for r in rows[4:] if r[1] == "T01")
    assert t01[header.index("口径")] == "营业收入1000亿元及以上"
    cells = " ".join(str(c) for r in rows for c in r)
    assert "{'" not in cells and "innovation_community" not in cells and "%/年" not in " ".join(
        f"{r[header.index('需要增速')]} {r[header.index('实际增速')]}" for r in rows[4:] if r[header.index("单位")] == "%")

    out = StringIO()
    call_command("targets", "status", "--programme", "JN-2020-231", "--as-of", "2025-09-30", stdout=out)
    text = out.getvalue()
    assert "创新创业共同体" in text and "{'" not in text and "innovation_community" not in text
    assert "provincial_or_above" not in text and "省级及以上" in text
