"""Units as the documents and the forms write them: a base unit with a Chinese power-of-ten prefix."""

from decimal import Decimal

SCALES = {"十": 1, "百": 2, "千": 3, "万": 4, "亿": 8}  # powers of ten
COUNT_UNITS = {"个", "家", "处", "项"}  # counters of things: one another's equal


class UnitMismatch(ValueError):
    pass


def unit_scale(unit: str) -> tuple[str, int]:
    """A unit as its base and a power of ten: 万元 → (元, 4), 亿元 → (元, 8), 万千瓦 → (瓦, 7), 人 → (人, 0)."""
    power = 0
    while len(unit) > 1 and unit[0] in SCALES:
        power += SCALES[unit[0]]
        unit = unit[1:]
    return unit, power


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """A figure in one unit expressed in another of the same base (万元 → 亿元 divides by 10,000)."""
    if from_unit == to_unit or (from_unit in COUNT_UNITS and to_unit in COUNT_UNITS):
        return value
    (from_base, from_power), (to_base, to_power) = unit_scale(from_unit), unit_scale(to_unit)
    if from_base != to_base:
        raise UnitMismatch(f"目标单位“{to_unit}”与指标单位“{from_unit}”无法换算")
    return value * Decimal(10) ** (from_power - to_power)
