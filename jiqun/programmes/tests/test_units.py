from decimal import Decimal

import pytest

from jiqun.programmes.units import UnitMismatch, convert, unit_scale


def test_a_unit_is_a_base_and_a_power_of_ten():
    assert unit_scale("万元") == ("元", 4) and unit_scale("亿元") == ("元", 8) and unit_scale("万千瓦") == ("瓦", 7)
    assert unit_scale("人") == ("人", 0) and unit_scale("万") == ("万", 0)


def test_figures_convert_within_a_base_and_counters_are_equal():
    assert convert(Decimal("52000"), "万元", "亿元") == Decimal("5.2")
    assert convert(Decimal("3"), "亿元", "万元") == Decimal("30000")
    assert convert(Decimal("12"), "家", "个") == Decimal("12")


def test_units_of_different_bases_are_refused_by_name():
    with pytest.raises(UnitMismatch, match="目标单位“人”与指标单位“万元”无法换算"):
        convert(Decimal(1), "万元", "人")
