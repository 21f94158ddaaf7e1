"""Reading a cell as users type it: full-width digits, thousands commas, a unit in the cell, and what fits the database."""

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from jiqun.monitoring.values import STORABLE_DECIMALS, number_text, storable
from jiqun.programmes.units import unit_scale

HALF_WIDTH = str.maketrans({chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "})
GROUPED = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
PLAIN = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)")
WITH_UNIT = re.compile(r"(?P<number>[-+]?[\d.,]+)(?P<unit>[^\d.,+-].*)")


def clean_text(value) -> str:
    """A cell as text: full-width characters made half-width, every space removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).translate(HALF_WIDTH).split())



WHOLE = 1e15  # a float below this that is whole is exactly its int, and Excel shows every digit of it


def float_text(value: float) -> str:
    """A spreadsheet number as exact decimal text, as Excel shows it: 15 significant digits, so 0.1+0.2 is 0.3.

    A whole number (most figures) is its int; otherwise the shortest repr is already that for almost every
    figure, and only long ones go through Decimal checks.
    """
    if value.is_integer() and -WHOLE < value < WHOLE:
        return str(int(value))
    text = repr(value)
    if len(text) > 16 or "e" in text or "n" in text or len(text) - text.find(".") > STORABLE_DECIMALS + 1:
        text = format(value, ".15g")
        if "n" in text:  # inf, nan
            raise ValueError(_("不是数字"))
        return number_text(storable(Decimal(text), text))
    return text


def from_float(value: float) -> Decimal:
    return Decimal(float_text(value))


def parse_number(value, unit: str) -> Decimal | None:
    """A cell's number in the column's unit, or None when empty; raises ValueError with the reason in the user's language."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(_("不是数字"))
    if isinstance(value, float):
        return from_float(value)
    if isinstance(value, int):
        return storable(Decimal(value), value)
    if not isinstance(value, str):
        raise ValueError(_("“%(value)s”不是数字（是日期或时间）") % {"value": value})
    text = clean_text(value)
    if text in ("", "-", "—", "--", "——"):
        return None
    power = 0
    match = WITH_UNIT.fullmatch(text)
    if match:
        given, given_power = unit_scale(match["unit"])
        base, column_power = unit_scale(unit)
        if given != base:
            raise ValueError(_("单位“%(given)s”与本列单位“%(unit)s”不符，请按%(unit)s填写数值")
                             % {"given": match["unit"], "unit": unit})
        power = given_power - column_power
        text = match["number"]
    if "," in text:
        if not GROUPED.fullmatch(text):
            raise ValueError(_("“%(value)s”的千分位逗号位置不对") % {"value": value.strip()})
        text = text.replace(",", "")
    if not PLAIN.fullmatch(text):
        raise ValueError(_("“%(value)s”不是数字") % {"value": value.strip()})
    number = Decimal(text)
    if power:
        number = Decimal(f"{number.scaleb(power):f}")  # 1.2亿元 → 12000, not 1.2E+4
    return storable(number, value.strip())


# Formulas ------------------------------------------------------------------------------------------

