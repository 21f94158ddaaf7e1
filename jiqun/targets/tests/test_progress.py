"""Progress arithmetic on hand-computed cases (no database)."""

import subprocess
import sys
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from jiqun.targets import progress as P
from jiqun.targets.progress import Forecast, Goal, Point, assess, month_index, years_between

ROOT = Path(__file__).resolve().parents[3]
END_2022, END_2023, END_2024, END_2025 = (date(y, 12, 31) for y in (2022, 2023, 2024, 2025))


def goal(value="121", comparator=">=", start=END_2023, due=END_2025, **kwargs) -> Goal:
    return Goal(value=D(value), comparator=comparator, start=start, due=due, **kwargs)


def pt(day: date, value) -> Point:
    return Point(day, D(str(value)))


def approx(value, expected, places=4) -> bool:
    return value is not None and round(float(value), places) == round(expected, places)


def test_months_make_quarters_exact():
    assert years_between(END_2024, date(2025, 9, 30)) == D("0.75")
    assert years_between(date(2024, 9, 30), date(2025, 9, 30)) == 1
    assert month_index(date(2025, 1, 31)) - month_index(END_2024) == 1


def test_on_track_when_actual_growth_beats_the_required_rate():
    result = assess(goal(), as_of=date(2024, 3, 1), current=pt(END_2023, 100), trend=(pt(END_2022, 90), pt(END_2023, 100)))
    assert result.status == P.ON_TRACK
    assert approx(result.attainment, 100 / 121 * 100)
    assert approx(result.required, 0.10)  # (121/100)^(1/2) − 1
    assert approx(result.actual, 1 / 9)  # 100/90 − 1
    assert approx(result.forecast, 100 * (10 / 9) ** 2)  # 123.4568
    assert result.compound and not result.required_rest
    assert "复利外推 2 年" in result.method


def test_at_risk_when_the_forecast_is_short_by_less_than_ten_percent():
    result = assess(goal(), as_of=date(2024, 3, 1), current=pt(END_2023, 105), trend=(pt(END_2022, 100), pt(END_2023, 105)))
    assert approx(result.forecast, 115.7625)  # 105 × 1.05²
    assert approx(result.required, (121 / 105) ** 0.5 - 1)
    assert result.status == P.AT_RISK  # short by 5.2375/121 = 4.3%


def test_behind_when_the_forecast_is_short_by_more():
    result = assess(goal(), as_of=date(2024, 3, 1), current=pt(END_2023, 102), trend=(pt(END_2022, 100), pt(END_2023, 102)))
    assert approx(result.forecast, 102 * 1.02**2)  # 106.12, short by 12.3%
    assert result.status == P.BEHIND


def test_a_negative_growth_path_is_behind_with_a_falling_forecast():
    result = assess(goal(), as_of=date(2024, 3, 1), current=pt(END_2023, 90), trend=(pt(END_2022, 100), pt(END_2023, 90)))
    assert approx(result.actual, -0.10)
    assert approx(result.required, (121 / 90) ** 0.5 - 1)  # 15.95% a year needed
    assert approx(result.forecast, 72.9)  # 90 × 0.9²
    assert result.status == P.BEHIND and "差目标 39.8%" in result.reason


def test_already_met_before_the_target_year_is_achieved_early():
    result = assess(goal(), as_of=date(2025, 3, 1), current=pt(END_2024, 130), trend=(pt(END_2023, 110), pt(END_2024, 130)))
    assert result.status == P.ACHIEVED and "提前达成" in result.reason
    assert approx(result.attainment, 130 / 121 * 100)


def test_missed_once_the_target_year_is_in():
    result = assess(goal(), as_of=date(2026, 2, 1), current=pt(END_2025, 110), trend=(pt(END_2024, 100), pt(END_2025, 110)))
    assert result.status == P.EXPIRED and "未达到目标" in result.reason
    assert approx(result.elapsed, 100)


def test_a_missed_year_waits_six_months_for_its_figures_then_expires():
    kwargs = dict(current=pt(END_2024, 100), trend=(pt(END_2023, 80), pt(END_2024, 100)))
    assert assess(goal(), as_of=date(2026, 6, 30), **kwargs).status == P.ON_TRACK  # forecast 125 ≥ 121
    assert assess(goal(), as_of=date(2026, 7, 1), **kwargs).status == P.EXPIRED


def test_no_figure_is_no_data():
    result = assess(goal(), as_of=date(2024, 3, 1), current=None)
    assert result.status == P.NO_DATA and result.attainment is None and result.forecast is None


def test_progress_from_baseline_against_time_elapsed():
    g = goal("120", baseline=pt(END_2023, 80))
    result = assess(g, as_of=date(2025, 1, 10), current=pt(END_2024, 100), trend=(pt(END_2023, 80), pt(END_2024, 100)))
    assert approx(result.progress, 50)  # (100 − 80) / (120 − 80)
    assert approx(result.elapsed, 50)  # one year of two
    assert approx(result.gap, 0)
    assert approx(result.forecast, 125) and result.status == P.ON_TRACK


@pytest.mark.parametrize(("current", "status", "gap"), [("0", P.BEHIND, -50), ("1.5", P.ON_TRACK, 0),
                                                       ("1.3", P.AT_RISK, 1.3 / 3 * 100 - 50)])
def test_without_a_forecast_attainment_is_held_against_time_elapsed(current, status, gap):
    result = assess(goal("3"), as_of=date(2025, 1, 10), current=pt(END_2024, current))
    assert result.forecast is None and result.method == "无增速数据，不作预测"
    assert result.status == status and approx(result.gap, gap)


def test_year_to_date_against_an_annual_target():
    g = goal("1000", start=END_2024, baseline=pt(END_2024, 0))
    result = assess(g, as_of=date(2025, 10, 20), current=pt(date(2025, 9, 30), 750), cumulative=True,
                    trend=(pt(date(2024, 9, 30), 700), pt(date(2025, 9, 30), 750)), growth_from=pt(END_2024, 900))
    assert approx(result.attainment, 75) and approx(result.elapsed, 75) and approx(result.gap, 0)
    assert approx(result.required, 1000 / 900 - 1) and not result.required_rest
    assert approx(result.actual, 750 / 700 - 1)
    assert approx(result.forecast, 900 * 750 / 700)  # 964.29: last year × (1 + 同比)
    assert result.status == P.AT_RISK


def test_year_to_date_without_last_year_uses_the_callers_forecast():
    g = goal("1000", start=END_2024, baseline=pt(END_2024, 0))
    result = assess(g, as_of=date(2025, 10, 20), current=pt(date(2025, 9, 30), 750), cumulative=True,
                    forecast=Forecast(D(1000), "按序时折算"))
    assert result.required is None and result.forecast == 1000 and result.method == "按序时折算"
    assert result.status == P.ON_TRACK


def test_shares_move_in_points_not_rates():
    g = goal("50", due=date(2026, 12, 31), linear=True)
    result = assess(g, as_of=date(2025, 8, 1), current=pt(date(2025, 6, 30), 46),
                    trend=(pt(date(2024, 6, 30), 44), pt(date(2025, 6, 30), 46)))
    assert not result.compound
    assert approx(result.required, 4 / 1.5) and approx(result.actual, 2) and approx(result.forecast, 49)
    assert result.status == P.AT_RISK  # 1 point short of 50 is 2%


def test_about_counts_as_met_within_five_percent():
    assert assess(goal("15", "≈"), as_of=date(2024, 3, 1), current=pt(END_2023, "14.3")).status == P.ACHIEVED
    assert assess(goal("15", "≈"), as_of=date(2024, 3, 1), current=pt(END_2023, "14.2")).status != P.ACHIEVED


def test_a_ceiling_target_reads_the_other_way():
    result = assess(goal("80", "<="), as_of=date(2025, 1, 10), current=pt(END_2024, 100),
                    trend=(pt(END_2023, 110), pt(END_2024, 100)))
    assert approx(result.attainment, 80)
    assert approx(result.forecast, 100 * 100 / 110)
    assert result.status == P.BEHIND  # 90.9 is 13.6% over the ceiling


def test_under_a_year_left_the_required_growth_is_for_the_rest():
    result = assess(goal("120"), as_of=date(2025, 10, 1), current=pt(date(2025, 9, 30), 100))
    assert result.required_rest and approx(result.required, 0.20)


def test_zero_figures_fall_back_to_points_a_year():
    result = assess(goal("3"), as_of=date(2025, 1, 10), current=pt(END_2024, 0), trend=(pt(END_2023, 0), pt(END_2024, 0)))
    assert not result.compound and approx(result.required, 3) and approx(result.actual, 0)
    assert result.forecast == 0 and result.status == P.BEHIND


def test_the_progress_module_never_imports_django():
    code = ("import sys, jiqun.targets.progress; "
            "bad = [m for m in sys.modules if m.split('.')[0] == 'django']; print(*bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, f"jiqun.targets.progress imported: {result.stdout}{result.stderr}"
