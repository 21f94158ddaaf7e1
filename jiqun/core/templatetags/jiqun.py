"""Number display: thousands separators at the indicator's precision, 亿元 for amounts in 万元."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def num(value, precision=2) -> str:
    """1234567.5 → 1,234,567.50; None → —."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    places = int(precision)
    return f"{number:,.{places}f}"


@register.filter
def yi(value, precision=2) -> str:
    """An amount in 万元 shown in 亿元."""
    if value is None or value == "":
        return "—"
    return num(Decimal(str(value)) / 10000, precision)
